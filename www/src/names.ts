/** Stock names by symbol. KIS's quote (inquire-price) carries none; holdings and orders bring
 *  theirs (`prdt_name`), and the default watchlist is named here, since the page chose it. */
export const DEFAULT_WATCHLIST: ReadonlyArray<readonly [symbol: string, name: string]> = [
  ["005930", "삼성전자"],
  ["000660", "SK하이닉스"],
  ["035420", "NAVER"],
  ["005380", "현대차"],
  ["035720", "카카오"],
  ["360750", "TIGER 미국S&P500"],
];

const names = new Map<string, string>(DEFAULT_WATCHLIST);

export function nameOf(symbol: string): string {
  return names.get(symbol) ?? "";
}

/** Takes the names that balance and order rows carry. */
export function learnNames(rows: ReadonlyArray<{ symbol: string; name: string }>): void {
  for (const r of rows) if (r.name) names.set(r.symbol, r.name);
}
