import { useEffect, useId, useRef, useState, type DragEvent } from "react";
import { useDraft, useStudyDraft } from "../app-stores.js";
import { draftPhase } from "../store/draft-selectors.js";
import { keptFileHandle } from "../drafts/file-handles.js";

const preventFileOpen = (event: Event) => event.preventDefault();

/** A real, labelled file input (keyboard and screen readers) inside an area that also accepts dropped files. */
export function ImageDropZone() {
  const inputId = useId();
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const addFiles = useStudyDraft((s) => s.actions.addFiles);
  const allowedTypes = useStudyDraft((s) => s.config?.allowedTypes);
  const locked = useDraft((_form, upload) => draftPhase(upload) !== "editing");

  // A file dropped just outside the zone would otherwise replace the page with the image.
  useEffect(() => {
    window.addEventListener("dragover", preventFileOpen);
    window.addEventListener("drop", preventFileOpen);
    return () => {
      window.removeEventListener("dragover", preventFileOpen);
      window.removeEventListener("drop", preventFileOpen);
    };
  }, []);

  const onDragOver = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = locked ? "none" : "copy";
    if (!locked) setDragging(true);
  };
  const onDragLeave = (event: DragEvent<HTMLDivElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (locked) return;
    // Handles must be asked for during the drop event, before the browser empties the DataTransfer.
    const items = [...event.dataTransfer.items].filter((item) => item.kind === "file");
    const handles = items.map((item) => keptFileHandle(item));
    addFiles([...event.dataTransfer.files], handles.length === event.dataTransfer.files.length ? handles : undefined);
  };

  return (
    <div
      data-testid="drop-zone"
      className={`drop-zone${dragging ? " is-dragging" : ""}${locked ? " is-locked" : ""}`}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
      // The whole zone opens the picker (the label and input already do; a second click would open it twice).
      onClick={(event) => {
        const target = event.target as HTMLElement;
        if (locked) return;
        if (target === event.currentTarget || target.classList.contains("drop-hint")) input.current?.click();
      }}
    >
      <input
        ref={input}
        data-add-images
        id={inputId}
        className="file-input"
        type="file"
        multiple
        accept={allowedTypes?.join(",")}
        disabled={locked}
        onChange={(event) => {
          addFiles([...(event.currentTarget.files ?? [])]);
          // Lets the same file be picked again after it was removed.
          event.currentTarget.value = "";
        }}
      />
      <label htmlFor={inputId} className="button button-secondary">
        Add images
      </label>
      <span className="drop-hint">or drop them here</span>
    </div>
  );
}
