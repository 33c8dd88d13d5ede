import { useState } from "react";
import { useStudyDraft } from "../app-stores.js";
import { formatBytes } from "../format.js";
import { imageProblem, labelProblem } from "../store/draft-validation.js";
import type { DraftImage } from "../store/study-draft-state.js";
import { ProgressBar, percentOf } from "./progress-bar.js";

function statusText(image: DraftImage, percent: number): string {
  switch (image.status) {
    case "queued":
      return "queued";
    case "uploading":
      return `uploading ${percent}%`;
    case "retrying":
      return `retrying (attempt ${image.attempt}) ${percent}%${image.statusReason ? ` after ${image.statusReason}` : ""}`;
    case "done":
      return "done";
    case "failed":
      return `failed: ${image.statusReason ?? "unknown reason"}`;
  }
}

const TONES = { queued: "active", uploading: "active", retrying: "active", done: "done", failed: "failed" } as const;

/** One image; selects only its own entry, so progress of other files never re-renders it. */
export function ImageRow({ imageId }: { imageId: string }) {
  const image = useStudyDraft((s) => s.images[imageId]);
  const config = useStudyDraft((s) => s.config);
  const locked = useStudyDraft((s) => s.phase !== "editing");
  const actions = useStudyDraft((s) => s.actions);
  const [previewBroken, setPreviewBroken] = useState(false);
  if (!image) return null;

  const { name, size, type } = image.file;
  const problem = image.contentProblem ?? (config ? imageProblem(image.file, config) : null);
  const labelError = labelProblem(image.label);
  const percent = percentOf(image.sentBytes, size);
  const problemId = `${imageId}-problem`;
  const showPreview = type.startsWith("image/") && !previewBroken;

  return (
    <li className={`image-row status-${problem ? "invalid" : image.status}`}>
      {showPreview ? (
        <img
          className="thumb"
          src={image.previewUrl}
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
              valueText={`${percent}%, ${image.status}`}
              tone={TONES[image.status]}
            />
            <p className={`row-status row-status-${image.status}`}>{statusText(image, percent)}</p>
          </>
        )}
      </div>
      <div className="row-actions">
        {image.status === "failed" && !locked && (
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
          disabled={locked}
          onClick={() => actions.removeImage(imageId)}
        >
          Remove
        </button>
      </div>
    </li>
  );
}
