// Fails when the browser build outgrows its budget (size-budget.json); prints the distance to
// the goal either way.
import fs from "node:fs";

const budget = JSON.parse(fs.readFileSync("size-budget.json", "utf8"));
const sizes = JSON.parse(fs.readFileSync("pkg/sizes.json", "utf8"));
const total = sizes.wasmGzipBytes + sizes.glueGzipBytes;
console.log(`browser build ${total} B gzip: budget ${budget.maxTotalGzipBytes} B, goal ${budget.goalTotalGzipBytes} B (${(total / budget.goalTotalGzipBytes).toFixed(2)}× the goal)`);
if (total > budget.maxTotalGzipBytes) {
  console.error(`size budget exceeded by ${total - budget.maxTotalGzipBytes} B: find what grew (twiggy top on the wasm, see ARCHITECTURE.md) before raising the budget`);
  process.exit(1);
}
