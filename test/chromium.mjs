// Debian's Chromium as the end-to-end tests and the benchmarks drive it (playwright-core):
// headless, as root (no sandbox), and without the background connections this machine's closed
// network refuses, many at a time, at every start.
export const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};
