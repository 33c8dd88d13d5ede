import { useEffect, useRef, useState } from "react";
import { useDraft, useStudyDraft } from "../app-stores.js";
import { draftPhase } from "../store/draft-selectors.js";

/** Discarding minutes of labelling takes a second, deliberate press. */
export function DiscardDraft() {
  const [confirming, setConfirming] = useState(false);
  const asked = useRef(false);
  const discardButton = useRef<HTMLButtonElement>(null);
  // Keep ends the question where it began: on the Discard draft button.
  useEffect(() => {
    if (confirming) asked.current = true;
    else if (asked.current) discardButton.current?.focus();
  }, [confirming]);
  const hasDraft = useStudyDraft((s) => s.imageIds.length > 0 || s.title !== "" || s.description !== "");
  const editable = useDraft((form, upload) => draftPhase(upload) === "editing" && form.draftAccess === "open");
  const discardDraft = useStudyDraft((s) => s.actions.discardDraft);
  if (!hasDraft || !editable) return null;
  if (!confirming) {
    return (
      <button ref={discardButton} type="button" className="button button-quiet" onClick={() => setConfirming(true)}>
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
        onClick={() => {
          setConfirming(false);
          discardDraft();
        }}
      >
        Discard
      </button>
      {/* Focus lands on the safe answer: the question is heard, and Enter pressed twice discards nothing. */}
      <button type="button" className="button button-secondary" autoFocus onClick={() => setConfirming(false)}>
        Keep
      </button>
    </span>
  );
}
