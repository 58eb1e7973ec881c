// ws's WebSocket, opening kis-mock's socket where KIS's mock host is asked for.
import { WebSocket as Ws } from "ws";

const KIS_WS = "ws://ops.koreainvestment.com:31000";

export class WebSocket extends Ws {
  constructor(url, ...rest) {
    super(String(url).replace(KIS_WS, process.env.MOCK_WS), ...rest);
  }
}
