import { useRef, useState, type DragEvent } from "react";
import type { FileEntry } from "@study-uploader/upload-engine";
import { studyDraftStore, useDraft, useStudyDraft } from "../app-stores.js";
import { formatBytes } from "../format.js";
import { previewable } from "../store/draft-images.js";
import { imageProblem, labelProblem } from "../store/draft-validation.js";
import { canPause, contentProblem, draftPhase, needsFile, sentOf } from "../store/draft-selectors.js";
import { ProgressBar, percentOf } from "./progress-bar.js";

/** What a drag of a row carries: the image's id, under a type no file drop has. */
export const IMAGE_DRAG_TYPE = "application/x-study-uploader-image";

type RowStatus = "queued" | "uploading" | "retrying" | "paused" | "done" | "reused" | "failed";

/** How far the image's upload got, as the row says it; an attempt after the first is a retry. */
function rowStatus(entry: FileEntry | undefined): { status: RowStatus; attempt: number; reason: string | null } {
  const state = entry?.state;
  switch (state?.kind) {
    case "queued":
    case "uploading":
    case "retrying": {
      const status = state.attempt > 1 ? "retrying" : state.kind === "queued" ? "queued" : "uploading";
      return { status, attempt: state.attempt, reason: state.reason };
    }
    case "paused":
      return { status: "paused", attempt: state.attempt, reason: null };
    case "uploaded":
      // The researcher's storage had these bytes already: copied there, none sent.
      return { status: state.reused ? "reused" : "done", attempt: 0, reason: null };
    case "failed":
      return { status: "failed", attempt: 0, reason: state.reason };
    default:
      // Not sent yet: being checked, hashed or announced, or held back until the batch has room.
      return { status: "queued", attempt: 0, reason: null };
  }
}

function statusText(
  { status, attempt, reason }: ReturnType<typeof rowStatus>,
  percent: number,
  kept: { sent: number; offline: boolean },
): string {
  if (kept.offline && status !== "done" && status !== "reused" && status !== "failed" && status !== "paused") {
    return `waiting for the network ${percent}%`;
  }
  switch (status) {
    case "paused":
      return `paused: ${formatBytes(kept.sent)} kept`;
    case "queued":
      return "queued";
    case "uploading":
      return `uploading ${percent}%`;
    case "retrying":
      return `retrying (attempt ${attempt}) ${percent}%${reason ? ` after ${reason}` : ""}`;
    case "done":
      return "done";
    case "reused":
      return "already uploaded";
    case "failed":
      return `failed: ${reason ?? "unknown reason"}`;
  }
}

const TONES = {
  queued: "active",
  uploading: "active",
  retrying: "active",
  paused: "active",
  done: "done",
  reused: "done",
  failed: "failed",
} as const;

/**
 * Removes the image and gives focus to the next row's Remove (or the previous row's, or Add images), where a
 * keyboard user goes on from; without this, focus falls back to the page.
 */
function removeKeepingFocus(imageId: string, remove: (id: string) => void) {
  const { imageIds } = studyDraftStore.getState();
  const at = imageIds.indexOf(imageId);
  const next = imageIds[at + 1] ?? imageIds[at - 1];
  remove(imageId);
  requestAnimationFrame(() => {
    const target = next
      ? document.querySelector<HTMLElement>(`[data-remove-image="${CSS.escape(next)}"]`)
      : document.querySelector<HTMLElement>("[data-add-images]");
    target?.focus();
  });
}

/** Where a row dragged over this one would land: before it in its upper half, after it in its lower half. */
function dropPosition(event: DragEvent<HTMLLIElement>, position: number, from: number): number {
  const box = event.currentTarget.getBoundingClientRect();
  const after = event.clientY > box.top + box.height / 2;
  const target = after ? position + 1 : position;
  // Taking the row out first shifts every later position up by one.
  return from < target ? target - 1 : target;
}

/**
 * One image; selects only its own entry, so progress of other files never re-renders it. Rows reorder by drag
 * and drop, and by their Move up / Move down buttons (focus stays on the button that moved the row).
 */
export function ImageRow({ imageId, position, count }: { imageId: string; position: number; count: number }) {
  const image = useStudyDraft((s) => s.images[imageId]);
  const entry = useDraft((_form, upload) => upload.files[imageId]);
  const offline = useDraft((_form, upload) => upload.network === "offline");
  const config = useStudyDraft((s) => s.config);
  const locked = useDraft((form, upload) => draftPhase(upload) !== "editing" || form.draftAccess !== "open");
  const actions = useStudyDraft((s) => s.actions);
  const pointedOut = useStudyDraft((s) => s.pickNotice?.alreadyAdded.some((file) => file.id === imageId) ?? false);
  const [previewBroken, setPreviewBroken] = useState(false);
  const [dropMark, setDropMark] = useState<"before" | "after" | null>(null);
  const upButton = useRef<HTMLButtonElement>(null);
  const downButton = useRef<HTMLButtonElement>(null);
  if (!image) return null;

  const move = (to: number, pressed: "up" | "down") => {
    actions.moveImage(imageId, to);
    // The row's element was moved in the list, which drops focus: give it back (or to the other button at an end).
    requestAnimationFrame(() => {
      const [wanted, other] = pressed === "up" ? [upButton, downButton] : [downButton, upButton];
      (wanted.current && !wanted.current.disabled ? wanted : other).current?.focus();
    });
  };
  const draggedFrom = (event: DragEvent) => {
    const id = event.dataTransfer.getData(IMAGE_DRAG_TYPE);
    return id ? studyDraftStore.getState().imageIds.indexOf(id) : -1;
  };
  const isImageDrag = (event: DragEvent) => event.dataTransfer.types.includes(IMAGE_DRAG_TYPE);

  const { name, size, type } = image.file;
  const problem = contentProblem(entry) ?? (config ? imageProblem(image.file, config) : null);
  const labelError = labelProblem(image.label);
  const percent = percentOf(sentOf(entry), size);
  const waiting = needsFile(image, entry);
  const upload = rowStatus(entry);
  const problemId = `${imageId}-problem`;
  const showPreview =
    image.previewUrl !== null && type.startsWith("image/") && previewable(image.file) && !previewBroken;

  return (
    <li
      className={`image-row status-${problem ? "invalid" : waiting ? "waiting" : upload.status}${
        dropMark ? ` drop-${dropMark}` : ""
      }${pointedOut ? " is-pointed-out" : ""}`}
      draggable={!locked}
      onDragStart={(event) => {
        event.dataTransfer.setData(IMAGE_DRAG_TYPE, imageId);
        event.dataTransfer.effectAllowed = "move";
      }}
      onDragOver={(event) => {
        if (locked || !isImageDrag(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        const box = event.currentTarget.getBoundingClientRect();
        setDropMark(event.clientY > box.top + box.height / 2 ? "after" : "before");
      }}
      onDragLeave={() => setDropMark(null)}
      onDrop={(event) => {
        setDropMark(null);
        if (locked || !isImageDrag(event)) return;
        event.preventDefault();
        // Not the window's file-drop guard: this is a row moving, not a file arriving.
        event.stopPropagation();
        const from = draggedFrom(event);
        if (from !== -1) {
          actions.moveImage(event.dataTransfer.getData(IMAGE_DRAG_TYPE), dropPosition(event, position, from));
        }
      }}
    >
      {showPreview ? (
        <img
          className="thumb"
          src={image.previewUrl!}
          alt=""
          width={64}
          height={64}
          onError={() => setPreviewBroken(true)}
        />
      ) : (
        <span className="thumb thumb-placeholder" aria-hidden="true" />
      )}
      <div className="row-main">
        <div className="row-head">
          <span className="file-name">{name}</span>
          <span className="file-size">{formatBytes(size)}</span>
          {pointedOut && <span className="row-badge">already added</span>}
        </div>
        <input
          className="label-input"
          type="text"
          aria-label={`Label for ${name}`}
          value={image.label}
          readOnly={locked}
          aria-invalid={labelError ? true : undefined}
          aria-describedby={labelError || problem ? problemId : undefined}
          onChange={(event) => actions.setLabel(imageId, event.currentTarget.value)}
        />
        {problem || labelError ? (
          <p className="row-problem" id={problemId}>
            {problem ?? labelError}
          </p>
        ) : (
          <>
            <ProgressBar
              percent={percent}
              label={`Upload progress for ${name}`}
              valueText={`${percent}%, ${upload.status}`}
              tone={TONES[upload.status]}
            />
            <p className={`row-status row-status-${upload.status}`}>
              {waiting
                ? "not uploaded yet: add this file again to finish"
                : statusText(upload, percent, { sent: sentOf(entry), offline })}
            </p>
          </>
        )}
      </div>
      <div className="row-actions">
        <div className="row-move" role="group" aria-label={`Order of ${name}`}>
          <button
            ref={upButton}
            type="button"
            className="button button-small button-quiet"
            aria-label={`Move ${name} up`}
            disabled={locked || position === 0}
            onClick={() => move(position - 1, "up")}
          >
            ↑
          </button>
          <button
            ref={downButton}
            type="button"
            className="button button-small button-quiet"
            aria-label={`Move ${name} down`}
            disabled={locked || position === count - 1}
            onClick={() => move(position + 1, "down")}
          >
            ↓
          </button>
        </div>
        {!locked && (canPause(entry) || entry?.paused) && (
          <button
            type="button"
            className="button button-small button-quiet"
            aria-label={`${entry?.paused ? "Resume" : "Pause"} ${name}`}
            onClick={() => (entry?.paused ? actions.resume(imageId) : actions.pause(imageId))}
          >
            {entry?.paused ? "Resume" : "Pause"}
          </button>
        )}
        {upload.status === "failed" && !locked && (
          <button
            type="button"
            className="button button-small"
            aria-label={`Retry ${name}`}
            onClick={() => void actions.retryImage(imageId)}
          >
            Retry
          </button>
        )}
        <button
          type="button"
          className="button button-small button-quiet"
          aria-label={`Remove ${name}`}
          data-remove-image={imageId}
          disabled={locked}
          onClick={() => removeKeepingFocus(imageId, actions.removeImage)}
        >
          Remove
        </button>
      </div>
    </li>
  );
}
