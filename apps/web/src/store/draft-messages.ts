import { formatDateTime } from "../format.js";

/** What the form tells the researcher (in the live region and beside the button), in one place. */

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

export const draftMessages = {
  added: (count: number) => `${plural(count, "image")} added`,
  removed: (name: string) => `${name} removed. Undo puts it back.`,
  restored: (name: string) => `${name} is back in the list`,
  notSameAfterAll: (name: string) =>
    `${name} has the name, size and date of an image in the list but other content: added as another image`,
  rejectedRemoved: (count: number) => `${plural(count, "rejected image")} removed`,
  uploading: (count: number) => `Uploading ${plural(count, "image")}`,
  fileFailed: (name: string, reason: string) => `${name} failed: ${reason}`,
  filesFailed: (count: number) =>
    `${plural(count, "image")} failed. Nothing was committed; use Retry failed to send ${count === 1 ? "it" : "them"} again.`,
  waiting: (count: number) =>
    `The study will be created when ${plural(count, "upload")} ${count === 1 ? "finishes" : "finish"}`,
  committing: "All images uploaded. Creating the study…",
  committed: (title: string) => `Study “${title}” created`,
  commitFailed: (reason: string) => `The study was not created: ${reason}`,
  startFailed: (reason: string) => `Could not start the upload: ${reason}`,
  configFailed: (reason: string) => `Could not load the upload limits: ${reason}`,
  cancelled: "The study will not be created for now; uploads go on.",
  paused: (name: string | undefined) =>
    `${name ? `${name} paused` : "Uploads paused"}: finished parts are kept. Resume to go on.`,
  resumed: (name: string | undefined) => `${name ? `${name} resumes` : "Uploads resume"}`,
  waitingForNetwork: "Waiting for the network: uploads go on by themselves when it is back.",
  moved: (name: string, position: number, count: number) => `${name} moved to position ${position} of ${count}`,
  discarded: "Draft discarded",
  draftRestored: (uploaded: number, waiting: number) =>
    `Your unfinished study is back${uploaded > 0 ? `: ${plural(uploaded, "image")} already uploaded` : ""}` +
    (waiting > 0
      ? `${uploaded > 0 ? "; " : ": "}add ${plural(waiting, "image")} again to finish ${waiting === 1 ? "its upload" : "their uploads"} (they are listed below).`
      : "."),
  draftExpired: (title: string, savedAt: number, hours: number) =>
    `Your unfinished study${title.trim() ? ` “${title.trim()}”` : ""} from ${formatDateTime(savedAt)} was cleared: ` +
    `uploads are kept for ${hours} hours, and it had not been created in that time.`,
  draftCommitted: (title: string) =>
    `Your unfinished study${title.trim() ? ` “${title.trim()}”` : ""} had already been created before the page was closed.`,
  openElsewhere: (title: string, images: number) =>
    `Your ${title ? `draft “${title}”` : "untitled draft"} (${plural(images, "image")}) is open in another tab.`,
  continuesElsewhere: (title: string) => `${title ? `“${title}”` : "Your draft"} continues in another tab.`,
};
