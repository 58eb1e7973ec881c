// A minimal KIS on 127.0.0.1 for the package's HTTP tests: tokenP, quotes, a 2-page balance,
// and scripted faults. The full emulation (kis-mock) is a separate tool.
import http from "node:http";

export async function startTinyKis() {
  const requests = [];
  const script = []; // { path, action: "hang" | "reset" | { status, body } }
  let tokens = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url, "http://x");
      requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body });
      const i = script.findIndex((s) => url.pathname.endsWith(s.path));
      if (i >= 0) {
        const { action } = script.splice(i, 1)[0];
        if (action === "hang") return; // never answers
        if (action === "reset") return req.socket.destroy();
        res.writeHead(action.status, { "content-type": "text/html" });
        return res.end(action.body);
      }
      const json = (obj, headers = {}) => {
        res.writeHead(200, { "content-type": "application/json; charset=utf-8", ...headers });
        res.end(JSON.stringify(obj));
      };
      if (url.pathname === "/oauth2/tokenP") {
        tokens += 1;
        return json({ access_token: `tiny-token-${tokens}-${"z".repeat(30)}`, token_type: "Bearer", expires_in: 86400 });
      }
      if (!req.headers.custtype) {
        res.writeHead(500);
        return res.end();
      }
      if (url.pathname.endsWith("/inquire-price")) {
        return json({ rt_cd: "0", msg_cd: "MCA00000", msg1: "정상처리 되었습니다!", output: { stck_prpr: "71200", prdy_vrss: "+300", prdy_ctrt: "0.42", acml_vol: "900" } });
      }
      if (url.pathname.endsWith("/inquire-balance")) {
        const second = req.headers.tr_cont === "N";
        const row = { pdno: second ? "000660" : "005930", prdt_name: second ? "SK하이닉스" : "삼성전자", hldg_qty: "3" };
        return json(
          { rt_cd: "0", msg_cd: "KIOK0510", msg1: "", ctx_area_fk100: "12345678^01^N^  ", ctx_area_nk100: "   ", output1: [row], output2: [{ dnca_tot_amt: "1000" }] },
          { tr_cont: second ? "D" : "M" },
        );
      }
      res.writeHead(404);
      res.end("not found");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    script,
    tokenCount: () => tokens,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
