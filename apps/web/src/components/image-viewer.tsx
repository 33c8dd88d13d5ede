import type { StudyElement } from "@study-uploader/shared";
import { useEffect, useId, useRef } from "react";
import { formatBytes, formatPixelSize } from "../format.js";

/**
 * One image at full size in a modal dialog, with what is known about it and its original for download. Open while
 * mounted: Escape (native) and Close both end in `onClose`, which the opener uses to take focus back.
 */
export function ImageViewer({ element, onClose }: { element: StudyElement; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const pixelSize = formatPixelSize(element.width, element.height);

  useEffect(() => {
    const current = dialog.current;
    if (current && !current.open) current.showModal();
    return () => current?.close();
  }, []);

  return (
    <dialog ref={dialog} className="image-viewer" aria-labelledby={headingId} onClose={onClose}>
      <div className="viewer-head">
        <h2 id={headingId}>{element.label}</h2>
        <button type="button" className="button button-secondary" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      {/* Full size: a larger image scrolls here (by keyboard too) while the heading, Close and facts stay in view. */}
      <div className="viewer-scroll" role="region" aria-label={`${element.label} at full size`} tabIndex={0}>
        <img
          className="viewer-image"
          src={element.url}
          alt={element.label}
          width={element.width ?? undefined}
          height={element.height ?? undefined}
        />
      </div>
      <dl className="viewer-facts">
        <div>
          <dt>File</dt>
          <dd>{element.name}</dd>
        </div>
        {pixelSize && (
          <div>
            <dt>Dimensions</dt>
            <dd>{pixelSize}</dd>
          </div>
        )}
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(element.size)}</dd>
        </div>
      </dl>
      {/* Served as an attachment under the original name; `download` alone would be ignored across origins. */}
      <a className="button button-primary" href={element.downloadUrl} download={element.name}>
        Download original
      </a>
    </dialog>
  );
}
