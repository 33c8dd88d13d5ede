interface ProgressBarProps {
  /** Whole percent, 0–100. */
  percent: number;
  label: string;
  valueText: string;
  tone?: "active" | "done" | "failed";
}

export function ProgressBar({ percent, label, valueText, tone = "active" }: ProgressBarProps) {
  return (
    <div
      className={`progress progress-${tone}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={valueText}
      aria-label={label}
    >
      {/* scaleX keeps each frame's update off layout. */}
      <div className="progress-fill" style={{ transform: `scaleX(${percent / 100})` }} />
    </div>
  );
}

export const percentOf = (part: number, whole: number) =>
  whole > 0 ? Math.min(100, Math.floor((part * 100) / whole)) : 0;
