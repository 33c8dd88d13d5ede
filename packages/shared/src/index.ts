export * from "./limits.js";
export * from "./file-name.js";
export * from "./image-signature.js";
export * from "./image-structure.js";
export * from "./schemas.js";
export * from "./storage-path.js";
export * from "./api-client.js";
export * from "./error-message.js";
