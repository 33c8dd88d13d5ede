import { Component, type ReactNode } from "react";
import { usePathname } from "../router/router.js";
import { Link } from "./link.js";

interface BoundaryProps {
  /** The route shown: another one renders the app again. */
  resetKey: string;
  children: ReactNode;
}

interface BoundaryState {
  resetKey: string;
  failed: boolean;
}

/** What replaces the app when it fails to render: never a blank page, always a way on. */
function RenderErrorMessage() {
  return (
    <main id="main" className="wrap">
      <h1 tabIndex={-1}>Something went wrong</h1>
      <p className="form-error">This page could not be shown. An unfinished study stays kept in this browser.</p>
      <p>
        <button type="button" className="button button-secondary" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </p>
      <p>
        <Link href="/studies">All studies</Link> · <Link href="/">New study</Link>
      </p>
    </main>
  );
}

/** A class, as React catches render errors only through a class component's lifecycle. */
class RenderErrorBoundary extends Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { resetKey: this.props.resetKey, failed: false };

  static getDerivedStateFromError(): Partial<BoundaryState> {
    return { failed: true };
  }

  static getDerivedStateFromProps(props: BoundaryProps, state: BoundaryState): Partial<BoundaryState> | null {
    return props.resetKey === state.resetKey ? null : { resetKey: props.resetKey, failed: false };
  }

  override render() {
    return this.state.failed ? <RenderErrorMessage /> : this.props.children;
  }
}

/** Shows a way back instead of a blank page when rendering fails, and tries again on the next route. */
export function ErrorBoundary({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  return <RenderErrorBoundary resetKey={pathname}>{children}</RenderErrorBoundary>;
}
