import { errorMessage } from "@study-uploader/shared";

/** Why a file could not be read, short: its system error code (ENOENT, EACCES…) when it has one. */
export const ioReason = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? errorMessage(error);
