//! Transaction IDs: which KIS operation, in which environment. The side of an order is encoded
//! only here, so a wrong entry places the opposite order.

use crate::env::Env;
use crate::error::{KisError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Buy,
    Sell,
    Cancel,
    Balance,
    Price,
    DailyPrice,
    BuyingPower,
    Orders,
    /// Orders older than three months (same path, its own TR); chosen by `getOrders` itself.
    OrdersHistory,
}

impl Op {
    pub fn parse(field: &str, s: &str) -> Result<Op> {
        Ok(match s {
            "buy" => Op::Buy,
            "sell" => Op::Sell,
            "cancel" => Op::Cancel,
            "balance" => Op::Balance,
            "price" => Op::Price,
            "dailyPrice" => Op::DailyPrice,
            "buyingPower" => Op::BuyingPower,
            "orders" => Op::Orders,
            _ => {
                return Err(KisError::validation(
                    field,
                    format!(
                        "unknown operation \"{s}\" (expected buy, sell, cancel, balance, price, \
                         dailyPrice, buyingPower or orders)"
                    ),
                ))
            }
        })
    }
}

/// `Current` is KIS's table since the NXT launch; `Legacy` is the seed's (deprecated order IDs
/// that KIS says may be blocked without notice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrIdSet {
    Current,
    Legacy,
}

impl TrIdSet {
    pub fn parse(field: &str, s: &str) -> Result<TrIdSet> {
        match s {
            "current" => Ok(TrIdSet::Current),
            "legacy" => Ok(TrIdSet::Legacy),
            _ => Err(KisError::validation(
                field,
                format!("must be \"current\" or \"legacy\", got {s:?}"),
            )),
        }
    }
}

pub fn tr_id_for(op: Op, env: Env, set: TrIdSet) -> &'static str {
    use Env::*;
    use Op::*;
    use TrIdSet::*;
    match (op, env, set) {
        (Buy, Real, Current) => "TTTC0012U",
        (Buy, Mock, Current) => "VTTC0012U",
        (Sell, Real, Current) => "TTTC0011U",
        (Sell, Mock, Current) => "VTTC0011U",
        (Cancel, Real, Current) => "TTTC0013U",
        (Cancel, Mock, Current) => "VTTC0013U",
        (Orders, Real, Current) => "TTTC0081R",
        (Orders, Mock, Current) => "VTTC0081R",
        (Buy, Real, Legacy) => "TTTC0802U",
        (Buy, Mock, Legacy) => "VTTC0802U",
        (Sell, Real, Legacy) => "TTTC0801U",
        (Sell, Mock, Legacy) => "VTTC0801U",
        (Cancel, Real, Legacy) => "TTTC0803U",
        (Cancel, Mock, Legacy) => "VTTC0803U",
        (Orders, Real, Legacy) => "TTTC8001R",
        (Orders, Mock, Legacy) => "VTTC8001R",
        (OrdersHistory, Real, Current) => "CTSC9215R",
        (OrdersHistory, Mock, Current) => "VTSC9215R",
        (OrdersHistory, Real, Legacy) => "CTSC9115R",
        (OrdersHistory, Mock, Legacy) => "VTSC9115R",
        (Balance, Real, _) => "TTTC8434R",
        (Balance, Mock, _) => "VTTC8434R",
        (BuyingPower, Real, _) => "TTTC8908R",
        (BuyingPower, Mock, _) => "VTTC8908R",
        (Price, _, _) => "FHKST01010100",
        (DailyPrice, _, _) => "FHKST01010400",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_seed_table_is_the_legacy_set() {
        let legacy = |op, env| tr_id_for(op, env, TrIdSet::Legacy);
        assert_eq!(legacy(Op::Buy, Env::Real), "TTTC0802U");
        assert_eq!(legacy(Op::Buy, Env::Mock), "VTTC0802U");
        assert_eq!(legacy(Op::Sell, Env::Real), "TTTC0801U");
        assert_eq!(legacy(Op::Sell, Env::Mock), "VTTC0801U");
        assert_eq!(legacy(Op::Cancel, Env::Real), "TTTC0803U");
        assert_eq!(legacy(Op::Cancel, Env::Mock), "VTTC0803U");
        assert_eq!(legacy(Op::Balance, Env::Real), "TTTC8434R");
        assert_eq!(legacy(Op::Balance, Env::Mock), "VTTC8434R");
        assert_eq!(legacy(Op::Price, Env::Mock), "FHKST01010100");
        assert_eq!(legacy(Op::DailyPrice, Env::Real), "FHKST01010400");
    }

    #[test]
    fn s3_current_table_uses_the_2026_order_ids() {
        let cur = |op, env| tr_id_for(op, env, TrIdSet::Current);
        assert_eq!(cur(Op::Buy, Env::Real), "TTTC0012U");
        assert_eq!(cur(Op::Sell, Env::Real), "TTTC0011U");
        assert_eq!(cur(Op::Cancel, Env::Mock), "VTTC0013U");
        assert_eq!(cur(Op::Orders, Env::Mock), "VTTC0081R");
        assert_eq!(cur(Op::BuyingPower, Env::Real), "TTTC8908R");
        assert_eq!(cur(Op::Price, Env::Real), cur(Op::Price, Env::Mock));
    }

    #[test]
    fn mock_ids_are_real_ids_with_a_leading_v() {
        for op in [
            Op::Buy,
            Op::Sell,
            Op::Cancel,
            Op::Balance,
            Op::BuyingPower,
            Op::Orders,
        ] {
            for set in [TrIdSet::Current, TrIdSet::Legacy] {
                let real = tr_id_for(op, Env::Real, set);
                let mock = tr_id_for(op, Env::Mock, set);
                assert_eq!(format!("V{}", &real[1..]), mock);
            }
        }
    }
}
