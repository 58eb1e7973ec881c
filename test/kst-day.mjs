// KIS's "today's orders" are the day's in Korea time: at midnight KST (15:00 UTC) the list
// starts empty, as KIS's does. A browser suite that places orders and reads them back takes a
// few minutes; one that straddles midnight sees its own orders vanish between two reads (an
// open order's row, being edited, gone from the new day's list). Such a suite starts only once
// midnight is at least `marginMs` away, waiting for it to pass when it is nearer.
const DAY_MS = 86_400_000;
const KST_OFFSET_MS = 9 * 3_600_000;

export async function clearOfKstMidnight(marginMs = 5 * 60_000) {
  const untilMidnight = DAY_MS - ((Date.now() + KST_OFFSET_MS) % DAY_MS);
  if (untilMidnight >= marginMs) return;
  const wait = untilMidnight + 2_000;
  console.log(`# midnight KST is ${Math.ceil(untilMidnight / 1000)} s away: waiting ${Math.ceil(wait / 1000)} s for the new day before placing orders`);
  await new Promise((resolve) => setTimeout(resolve, wait));
}
