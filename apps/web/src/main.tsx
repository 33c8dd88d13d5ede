import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { studyDraftStore } from "./app-stores.js";
import { App } from "./components/app.js";
import "./styles.css";

void studyDraftStore.getState().actions.loadConfig();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
