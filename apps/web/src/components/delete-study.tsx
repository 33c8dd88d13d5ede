import type { Study } from "@study-uploader/shared";
import { useEffect, useRef, useState } from "react";
import { useStudies } from "../app-stores.js";
import { navigate } from "../router/router.js";

/** "Delete study", then a confirmation naming what goes; once it is gone, the list of studies. */
export function DeleteStudy({ study }: { study: Study }) {
  const [confirming, setConfirming] = useState(false);
  const busy = useStudies((s) => s.deleting[study.id] === true);
  const error = useStudies((s) => s.deleteErrors[study.id]);
  const deleteStudy = useStudies((s) => s.actions.deleteStudy);
  const questionId = `delete-question-${study.id}`;
  const deleteButton = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);

  // Keep takes the confirmation (and the focus in it) away: focus goes back to where it was asked for.
  useEffect(() => {
    if (wasConfirming.current && !confirming) deleteButton.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const confirm = async () => {
    if (await deleteStudy(study.id)) navigate("/studies");
  };
  const count = study.elements.length;

  return (
    <div className="delete-study">
      {confirming ? (
        <div className="delete-confirm" role="group" aria-labelledby={questionId}>
          <p id={questionId}>
            Delete “{study.title}” and its {count} {count === 1 ? "image" : "images"}? This cannot be undone.
          </p>
          <div className="delete-confirm-actions">
            {/* Busy, not disabled, so focus stays; the store asks once however often it is pressed. */}
            <button
              type="button"
              className="button button-danger"
              aria-disabled={busy || undefined}
              onClick={() => void confirm()}
            >
              {busy ? "Deleting…" : "Delete"}
            </button>
            <button
              type="button"
              className="button button-secondary"
              // Focus lands on the safe choice, inside the question, so a keyboard user hears what is asked.
              autoFocus
              disabled={busy}
              onClick={() => setConfirming(false)}
            >
              Keep
            </button>
          </div>
        </div>
      ) : (
        <button
          ref={deleteButton}
          type="button"
          className="button button-secondary"
          onClick={() => setConfirming(true)}
        >
          Delete study
        </button>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
