import { useDraft, useStudyDraft } from "../app-stores.js";
import { formatBytes, formatDuration } from "../format.js";
import { doneCount, sentBytes, totalBytes, uploadingCount } from "../store/draft-selectors.js";
import { ProgressBar, percentOf } from "./progress-bar.js";

export function TotalProgress() {
  const total = useStudyDraft(totalBytes);
  const sent = useDraft(sentBytes);
  const done = useDraft(doneCount);
  const count = useStudyDraft((s) => s.imageIds.length);
  const rate = useDraft((form, upload) => (uploadingCount(form, upload) > 0 ? upload.bytesPerSecond : null));
  if (count === 0) return null;

  const percent = percentOf(sent, total);
  const speed =
    rate && rate > 0 ? ` · ${formatBytes(rate)}/s · about ${formatDuration((total - sent) / rate)} left` : "";
  return (
    <div className="total-progress">
      <ProgressBar
        percent={percent}
        label="Total upload progress"
        valueText={`${percent}%, ${done} of ${count} files done`}
        tone={done === count ? "done" : "active"}
      />
      <p className="total-text">
        {formatBytes(sent)} of {formatBytes(total)} · {done} of {count} files done{speed}
      </p>
    </div>
  );
}
