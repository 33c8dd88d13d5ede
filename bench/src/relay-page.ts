/**
 * The old design's upload page, served by the relay from its own origin: a title, a multiple file input and one
 * multipart POST of everything. Labelled like the product's form so the bench drives both the same way.
 */
export const RELAY_UPLOAD_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Relay upload (old design)</title></head>
<body>
<form id="study-form">
  <label for="title">Title</label> <input id="title" name="title" type="text" required>
  <label for="files">Add images</label> <input id="files" name="files" type="file" multiple accept="image/*">
  <button type="submit">Create study</button>
  <output id="result" aria-live="polite"></output>
</form>
<script>
  const form = document.getElementById("study-form");
  const result = document.getElementById("result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.textContent = "Uploading…";
    try {
      const response = await fetch("/relay/studies", { method: "POST", body: new FormData(form) });
      const body = await response.json();
      result.textContent = response.ok ? "Study " + body.studyId + " created" : "Failed: " + (body.message ?? response.status);
    } catch (error) {
      result.textContent = "Failed: " + error;
    }
  });
</script>
</body>
</html>
`;
