// The layer-promotion panel: RecordStore.promote(id, toLayer, { expectedVersion? }) on the
// page's record store, showing the record as stored (its layer and version).
import { $, action, api } from "./api.js";

export function setupPromote() {
  $("promote-run").addEventListener(
    "click",
    action("promote", async () => {
      $("promote-output").textContent = "";
      const version = $("promote-version").value.trim();
      const r = await api("POST", "/api/records/promote", {
        id: $("promote-id").value.trim(),
        toLayer: $("promote-layer").value,
        expectedVersion: version === "" ? undefined : Number(version),
      });
      $("promote-summary").textContent = `${r.id}: ${r.layer}, version ${r.version}`;
      $("promote-output").textContent = JSON.stringify(r, null, 2);
    }),
  );
}
