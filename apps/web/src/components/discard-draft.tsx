import { useState } from "react";
import { useDraft, useStudyDraft } from "../app-stores.js";
import { draftPhase } from "../store/draft-selectors.js";

/** Discarding minutes of labelling takes a second, deliberate press. */
export function DiscardDraft() {
  const [confirming, setConfirming] = useState(false);
  const hasDraft = useStudyDraft((s) => s.imageIds.length > 0 || s.title !== "" || s.description !== "");
  const editable = useDraft((form, upload) => draftPhase(upload) === "editing" && form.draftAccess === "open");
  const discardDraft = useStudyDraft((s) => s.actions.discardDraft);
  if (!hasDraft || !editable) return null;
  if (!confirming) {
    return (
      <button type="button" className="button button-quiet" onClick={() => setConfirming(true)}>
        Discard draft
      </button>
    );
  }
  return (
    <span className="discard-confirm" role="group" aria-label="Discard the draft?">
      <span>Discard the title, labels and every image?</span>
      <button
        type="button"
        className="button button-danger"
        // Focus lands on the confirmation, so a keyboard user hears what is asked.
        autoFocus
        onClick={() => {
          setConfirming(false);
          discardDraft();
        }}
      >
        Discard
      </button>
      <button type="button" className="button button-secondary" onClick={() => setConfirming(false)}>
        Keep
      </button>
    </span>
  );
}
