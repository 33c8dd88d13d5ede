import type { StudyElement } from "@study-uploader/shared";
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { formatBytes, formatPixelSize } from "../format.js";

/** Where a click asked for actual size: the clicked point of the image stays under the pointer. */
interface ZoomAnchor {
  /** The clicked point as a share of the fitted image's width and height. */
  shareX: number;
  shareY: number;
  /** The pointer's offset from the frame's top-left corner. */
  frameX: number;
  frameY: number;
}

/**
 * A study's images, one at a time, in a modal dialog: fitted to the window, or at actual size to scroll through,
 * with what is known about each and its original for download. Open while mounted; the same dialog stays open while
 * the reader moves between images (`onNavigate`), so focus stays where it was. Escape (native) and Close both end in
 * `onClose`, which the opener uses to take focus back.
 */
export function ImageViewer({
  elements,
  position,
  onNavigate,
  onClose,
}: {
  elements: readonly StudyElement[];
  /** The shown image's place in `elements`, from 0. */
  position: number;
  onNavigate: (position: number) => void;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const zoomAnchor = useRef<ZoomAnchor | null>(null);
  const headingId = useId();
  const positionId = useId();
  /** The image shown at actual size, if any: moving to another one shows it fitted again. */
  const [actualSizeOf, setActualSizeOf] = useState<number | null>(null);
  /** What the live region says after the reader moved or zoomed; empty on opening, which the dialog's name covers. */
  const [announcement, setAnnouncement] = useState("");
  const element = elements[position];
  const actualSize = actualSizeOf === position;
  const atFirst = position === 0;
  const atLast = position === elements.length - 1;

  useEffect(() => {
    const current = dialog.current;
    if (current && !current.open) current.showModal();
    return () => current?.close();
  }, []);

  useLayoutEffect(() => {
    const anchor = zoomAnchor.current;
    const image = frame.current?.querySelector("img");
    zoomAnchor.current = null;
    if (!actualSize || !anchor || !frame.current || !image) return;
    frame.current.scrollLeft = anchor.shareX * image.offsetWidth - anchor.frameX;
    frame.current.scrollTop = anchor.shareY * image.offsetHeight - anchor.frameY;
  }, [actualSize]);

  if (!element) return null;
  const pixelSize = formatPixelSize(element.width, element.height);
  const positionText = `${position + 1} of ${elements.length}`;

  function goTo(next: number) {
    const target = elements[next];
    if (!target) return;
    onNavigate(next);
    setAnnouncement(`${target.label}, ${next + 1} of ${elements.length}`);
  }

  function toggleActualSize() {
    setActualSizeOf(actualSize ? null : position);
    setAnnouncement(actualSize ? "Fitted to the window" : "Actual size");
  }

  function zoomFromClick(event: MouseEvent<HTMLImageElement>) {
    const box = event.currentTarget.getBoundingClientRect();
    const frameBox = frame.current?.getBoundingClientRect();
    if (!actualSize && frameBox && box.width > 0 && box.height > 0) {
      zoomAnchor.current = {
        shareX: (event.clientX - box.left) / box.width,
        shareY: (event.clientY - box.top) / box.height,
        frameX: event.clientX - frameBox.left,
        frameY: event.clientY - frameBox.top,
      };
    }
    toggleActualSize();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "z" || event.key === "Z") {
      event.preventDefault();
      toggleActualSize();
      return;
    }
    // At actual size the focused frame keeps its arrow keys for scrolling the image.
    if (actualSize && event.target === frame.current) return;
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      event.preventDefault();
      goTo(event.key === "ArrowLeft" ? position - 1 : position + 1);
    }
  }

  return (
    <dialog
      ref={dialog}
      className="image-viewer"
      aria-labelledby={`${headingId} ${positionId}`}
      onClose={onClose}
      onKeyDown={onKeyDown}
    >
      <div className="viewer-head">
        <h2 id={headingId}>{element.label}</h2>
        <span id={positionId} className="viewer-position">
          {positionText}
        </span>
        <button type="button" className="button button-secondary" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      <div className="viewer-tools">
        {/* aria-disabled rather than disabled: a focused button that became disabled would drop focus to the page. */}
        <button
          type="button"
          className="button button-small"
          aria-disabled={atFirst}
          aria-keyshortcuts="ArrowLeft"
          onClick={() => !atFirst && goTo(position - 1)}
        >
          Previous
        </button>
        <button
          type="button"
          className="button button-small"
          aria-disabled={atLast}
          aria-keyshortcuts="ArrowRight"
          onClick={() => !atLast && goTo(position + 1)}
        >
          Next
        </button>
        <button
          type="button"
          className="button button-small"
          aria-pressed={actualSize}
          aria-keyshortcuts="Z"
          onClick={toggleActualSize}
        >
          Actual size
        </button>
        <p className="viewer-keys">
          {actualSize
            ? "Z or a click: fit to window. Arrow keys scroll the image once it has focus."
            : "← →: previous / next. Z or a click: actual size."}
        </p>
      </div>
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      <div
        ref={frame}
        className={actualSize ? "viewer-frame viewer-actual-size" : "viewer-frame"}
        role="region"
        aria-label={`${element.label} ${actualSize ? "at actual size" : "fitted to the window"}`}
        tabIndex={0}
      >
        {/* Keyed: a new image must not show the previous one's pixels while it loads. */}
        <img
          key={element.index}
          className="viewer-image"
          src={element.url}
          alt={element.label}
          width={element.width ?? undefined}
          height={element.height ?? undefined}
          onClick={zoomFromClick}
        />
      </div>
      <div className="viewer-foot">
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
      </div>
    </dialog>
  );
}
