import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./components/app.js";
import { ErrorBoundary } from "./components/error-boundary.js";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ErrorBoundary>
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
