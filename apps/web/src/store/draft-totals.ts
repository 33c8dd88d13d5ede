import { isRefused } from "./draft-validation.js";
import { sentOf, type UploadView } from "./draft-selectors.js";
import type { DraftImages, StudyDraftState } from "./study-draft-state.js";

type FormTotals = DraftImages & Pick<StudyDraftState, "config">;

/** The images that will be sent: a refused one (wrong type, too large, not its type's image) counts in no total. */
const toSend = (form: FormTotals, upload: UploadView) =>
  form.imageIds.map((id) => form.images[id]!).filter((image) => !isRefused(form.config, image, upload));

/** How far the draft's uploads got, over the images that will be sent only. */
export function uploadTotals(form: FormTotals, upload: UploadView) {
  const images = toSend(form, upload);
  const states = images.map((image) => upload.files[image.id]?.state.kind);
  return {
    count: images.length,
    bytes: images.reduce((sum, image) => sum + image.file.size, 0),
    sent: images.reduce((sum, image) => sum + sentOf(upload.files[image.id]), 0),
    done: states.filter((kind) => kind === "uploaded").length,
    failed: states.filter((kind) => kind === "failed").length,
  };
}
