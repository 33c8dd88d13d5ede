import { zValidator } from "@hono/zod-validator";
import type { ZodType } from "zod";
import { validationProblem } from "./errors.js";

/** JSON body validation with the contract's schemas; failures leave through the one error handler. */
export const jsonBody = <T extends ZodType>(schema: T) =>
  zValidator("json", schema, (result) => {
    if (!result.success) throw validationProblem(result.error);
  });

/** Query string validation, the same way. */
export const query = <T extends ZodType>(schema: T) =>
  zValidator("query", schema, (result) => {
    if (!result.success) throw validationProblem(result.error);
  });
