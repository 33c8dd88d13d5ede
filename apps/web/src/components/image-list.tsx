import { useShallow } from "zustand/react/shallow";
import { useStudyDraft } from "../app-stores.js";
import { ImageRow } from "./image-row.js";

export function ImageList() {
  const imageIds = useStudyDraft(useShallow((s) => s.imageIds));
  if (imageIds.length === 0) return <p className="empty-note">No images yet.</p>;
  return (
    <ul className="image-list" aria-label="Images">
      {imageIds.map((id, position) => (
        <ImageRow key={id} imageId={id} position={position} count={imageIds.length} />
      ))}
    </ul>
  );
}
