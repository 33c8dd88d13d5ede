import {
  descriptionSchema,
  fileNameProblem,
  labelSchema,
  titleSchema,
  type UploadConfig,
} from "@study-uploader/shared";
import { formatBytes, imageTypeNames } from "../format.js";
import { contentProblem, needsFile, type UploadView } from "./draft-selectors.js";
import type { FileFacts } from "./saved-draft.js";
import type { DraftImage, StudyDraftState } from "./study-draft-state.js";

/** Why this file cannot be sent, checked before anything goes out; null when it may be uploaded. */
export function imageProblem(file: Pick<FileFacts, "name" | "type" | "size">, config: UploadConfig): string | null {
  const nameProblem = fileNameProblem(file.name);
  if (nameProblem) return `Bad file name: ${nameProblem}`;
  if (!(config.allowedTypes as readonly string[]).includes(file.type)) {
    return `Not an allowed image type (${file.type || "unknown type"}); use ${imageTypeNames(config.allowedTypes)}`;
  }
  if (file.size === 0) return "The file is empty";
  if (file.size > config.maxFileBytes)
    return `Too large: ${formatBytes(file.size)}, the limit is ${formatBytes(config.maxFileBytes)}`;
  return null;
}

/** Whether the image will not be sent whatever happens (its row says why): it counts in no total or limit. */
export const isRefused = (
  config: UploadConfig | null,
  image: Pick<DraftImage, "id" | "file">,
  upload: Pick<UploadView, "files">,
) => contentProblem(upload.files[image.id]) !== null || (config !== null && imageProblem(image.file, config) !== null);

export function labelProblem(label: string): string | null {
  const parsed = labelSchema.safeParse(label);
  return parsed.success ? null : `Label: ${parsed.error.issues[0]?.message ?? "invalid"}`;
}

/** What keeps the form from being submitted, in words; empty when Create study may be pressed. */
export function formProblems(
  state: Pick<StudyDraftState, "config" | "title" | "description" | "imageIds" | "images">,
  upload: Pick<UploadView, "files">,
): string[] {
  const { config } = state;
  if (!config) return ["Waiting for the upload limits"];
  const problems: string[] = [];
  const title = titleSchema.safeParse(state.title);
  if (!title.success)
    problems.push(state.title.trim() === "" ? "Add a title" : `Title: ${title.error.issues[0]?.message}`);
  const description = descriptionSchema.safeParse(state.description);
  if (!description.success) problems.push(`Description: ${description.error.issues[0]?.message}`);
  if (state.imageIds.length === 0) problems.push("Add at least one image");
  const images = state.imageIds.map((id) => state.images[id]!);
  // Refused rows are said below; the limit is on the images that will be sent.
  const count = images.filter((image) => !isRefused(config, image, upload)).length;
  if (count > config.maxFiles)
    problems.push(
      `Too many images: ${count}, at most ${config.maxFiles} are allowed; remove ${count - config.maxFiles}`,
    );
  const waiting = images.filter((image) => needsFile(image, upload.files[image.id])).length;
  if (waiting > 0)
    problems.push(
      `Add ${waiting === 1 ? "the image" : `the ${waiting} images`} not uploaded before the page was closed again, or remove ${waiting === 1 ? "it" : "them"}`,
    );
  const invalid = images.filter(
    (image) => contentProblem(upload.files[image.id]) || imageProblem(image.file, config) || labelProblem(image.label),
  ).length;
  if (invalid > 0)
    problems.push(`Fix or remove ${invalid === 1 ? "the image" : `${invalid} images`} marked in the list above`);
  return problems;
}
