import { IMAGE_TYPE_NAMES, detectImageType, type ImageType } from "@study-uploader/shared";

export interface ExpectedImage {
  size: number;
  type: ImageType;
  md5: string;
}

export interface ObservedImage {
  size: number;
  md5: string | null;
}

/** Checks what storage reports of an uploaded blob against what was declared; null when it matches. */
export function metadataProblem(expected: ExpectedImage, observed: ObservedImage | null): string | null {
  if (observed === null) return "was not uploaded";
  if (observed.size !== expected.size) {
    return `stored size is ${observed.size} bytes but ${expected.size} were declared`;
  }
  if (observed.md5 === null) return "storage has no checksum for it; upload it again";
  if (observed.md5 !== expected.md5) return "stored bytes do not match the file's checksum (corrupted or replaced)";
  return null;
}

/** Checks a blob's first bytes against the declared image type; null when they prove that type. */
export function contentProblem(expectedType: ImageType, head: Uint8Array): string | null {
  const actual = detectImageType(head);
  if (actual === expectedType) return null;
  const declared = IMAGE_TYPE_NAMES[expectedType];
  return actual === null
    ? `content is not a ${declared} image`
    : `content is a ${IMAGE_TYPE_NAMES[actual]} image, not the declared ${declared}`;
}
