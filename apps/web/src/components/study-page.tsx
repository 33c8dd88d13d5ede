import type { StudyElement } from "@study-uploader/shared";
import { useEffect, useRef, useState } from "react";
import { useStudies } from "../app-stores.js";
import { formatBytes, formatDateTime, formatPixelSize } from "../format.js";
import { DeleteStudy } from "./delete-study.js";
import { ImageViewer } from "./image-viewer.js";
import { Link } from "./link.js";

function GalleryItem({ element, onOpen }: { element: StudyElement; onOpen: () => void }) {
  const pixelSize = formatPixelSize(element.width, element.height);
  return (
    <li>
      <figure>
        <button type="button" className="gallery-open" aria-label={`View ${element.label} full size`} onClick={onOpen}>
          {/* The thumbnail, a few KiB; the full image only in the viewer. Older studies have none: the image. */}
          <img src={element.thumbnailUrl ?? element.url} alt={element.label} decoding="async" />
        </button>
        <figcaption>
          {element.label}
          <span className="element-meta">
            {formatBytes(element.size)}
            {pixelSize && ` · ${pixelSize}`}
          </span>
        </figcaption>
      </figure>
    </li>
  );
}

export function StudyPage({ studyId }: { studyId: string }) {
  const study = useStudies((s) => s.studies[studyId]);
  const error = useStudies((s) => s.studyErrors[studyId]);
  const loadStudy = useStudies((s) => s.actions.loadStudy);
  const known = study !== undefined;
  /** The viewed image's place in the study's elements, while the viewer is open. */
  const [viewing, setViewing] = useState<number | null>(null);
  const gallery = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (!known) void loadStudy(studyId);
  }, [known, studyId, loadStudy]);

  if (!study) {
    return error ? (
      <>
        <h1 tabIndex={-1}>Study not available</h1>
        <p className="form-error">{error}</p>
        <p>
          <Link href="/studies">Back to all studies</Link>
        </p>
      </>
    ) : (
      <p className="hint">Loading study…</p>
    );
  }
  return (
    <article>
      <h1 tabIndex={-1}>{study.title}</h1>
      <p className="study-meta">
        {study.elements.length} images · created{" "}
        <time dateTime={study.createdAt}>{formatDateTime(study.createdAt)}</time>
      </p>
      {study.description && <p className="study-description">{study.description}</p>}
      <DeleteStudy study={study} />
      <ul className="gallery" ref={gallery}>
        {study.elements.map((element, position) => (
          <GalleryItem key={element.index} element={element} onOpen={() => setViewing(position)} />
        ))}
      </ul>
      {viewing !== null && (
        <ImageViewer
          elements={study.elements}
          position={viewing}
          onNavigate={setViewing}
          onClose={() => {
            setViewing(null);
            // Back to the image last shown, which may not be the one that opened the viewer.
            gallery.current?.querySelectorAll<HTMLButtonElement>(".gallery-open")[viewing]?.focus();
          }}
        />
      )}
    </article>
  );
}
