// Which TR IDs each endpoint accepts, per environment, and what they mean. The mock server
// refuses a real ID on the mock environment and the reverse, as KIS does.
const pair = (real, meaning) => ({ real: { [real]: meaning }, mock: { [`V${real.slice(1)}`]: meaning } });
const merge = (...ps) => ({ real: Object.assign({}, ...ps.map((p) => p.real)), mock: Object.assign({}, ...ps.map((p) => p.mock)) });

export const TR_IDS = {
  "order-cash": { method: "POST", ...merge(pair("TTTC0012U", "buy"), pair("TTTC0011U", "sell"), pair("TTTC0802U", "buy"), pair("TTTC0801U", "sell")) },
  "order-rvsecncl": { method: "POST", ...merge(pair("TTTC0013U", "cancel"), pair("TTTC0803U", "cancel")) },
  "inquire-balance": { method: "GET", ...pair("TTTC8434R", "balance") },
  "inquire-psbl-order": { method: "GET", ...pair("TTTC8908R", "buyingPower") },
  "inquire-daily-ccld": { method: "GET", ...merge(pair("TTTC0081R", "orders"), pair("TTTC8001R", "orders"), pair("CTSC9215R", "orders"), pair("CTSC9115R", "orders")) },
  "inquire-price": { method: "GET", real: { FHKST01010100: "price" }, mock: { FHKST01010100: "price" } },
  "inquire-asking-price-exp-ccn": { method: "GET", real: { FHKST01010200: "orderbook" }, mock: { FHKST01010200: "orderbook" } },
  "inquire-time-itemchartprice": { method: "GET", real: { FHKST03010200: "minuteBars" }, mock: { FHKST03010200: "minuteBars" } },
  "inquire-daily-price": { method: "GET", real: { FHKST01010400: "dailyPrice" }, mock: { FHKST01010400: "dailyPrice" } },
};
