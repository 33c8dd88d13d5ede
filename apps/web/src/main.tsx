import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { draftOwnership, studyDraftStore } from "./app-stores.js";
import { App } from "./components/app.js";
import { ErrorBoundary } from "./components/error-boundary.js";
import "./styles.css";

// The limits first (the saved draft's deadline and checks need them), then the signed-in user's draft.
void studyDraftStore
  .getState()
  .actions.loadConfig()
  .then(() => draftOwnership.start());

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ErrorBoundary>
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
