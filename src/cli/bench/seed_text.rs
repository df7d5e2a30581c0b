//! The generated text of `bench seed`: message bodies in English, Chinese or both, with common
//! and rare words in known proportions (the query kinds of `bench search`), and visitor names.

use rand::rngs::StdRng;
use rand::Rng;

const ENGLISH: &[&str] = &[
    "order",
    "shipping",
    "refund",
    "payment",
    "account",
    "password",
    "delivery",
    "package",
    "tracking",
    "invoice",
    "discount",
    "coupon",
    "subscription",
    "cancel",
    "upgrade",
    "price",
    "help",
    "please",
    "thanks",
    "hello",
    "when",
    "where",
    "how",
    "why",
    "still",
    "waiting",
    "arrived",
    "broken",
    "wrong",
    "size",
    "color",
    "return",
    "exchange",
    "address",
    "phone",
    "email",
    "login",
    "error",
    "page",
    "checkout",
    "cart",
    "card",
    "bank",
    "transfer",
    "week",
    "today",
    "tomorrow",
    "yesterday",
    "number",
    "receipt",
    "warranty",
    "support",
    "manager",
    "the",
    "my",
    "is",
    "not",
    "has",
    "have",
    "can",
    "you",
    "we",
    "it",
    "a",
    "to",
    "for",
    "of",
];
const CHINESE: &[&str] = &[
    "你好",
    "请问",
    "订单",
    "退款",
    "发货",
    "快递",
    "物流信息",
    "什么时候",
    "到货",
    "谢谢",
    "客服",
    "支付",
    "账号",
    "密码",
    "优惠券",
    "取消",
    "地址",
    "电话",
    "发票",
    "质量问题",
    "换货",
    "尺码",
    "颜色",
    "已经",
    "还没有",
    "收到",
    "麻烦",
    "帮我",
    "查一下",
    "包裹",
];
/// Words that occur about once in 100,000 messages: the "rare word" of the measurements.
const RARE: &[&str] = &["xylophone", "quokka", "zeppelin"];
pub const NAMES: &[&str] = &[
    "Alice", "Bob", "Carol", "Dave", "Erin", "王芳", "李雷", "张伟", "陈静",
];
pub const PLANS: &[&str] = &["free", "pro", "business", "enterprise"];

/// One generated message text: 4–14 words, a third of them mostly Chinese.
pub fn text(rng: &mut StdRng) -> String {
    let words = rng.gen_range(4..=14);
    let chinese = rng.gen_bool(0.33);
    let mut out = String::new();
    for i in 0..words {
        let zh = if chinese {
            rng.gen_bool(0.8)
        } else {
            rng.gen_bool(0.05)
        };
        let word = if zh {
            CHINESE[rng.gen_range(0..CHINESE.len())]
        } else {
            // Squared: the first words of the list are much more common than the last.
            let r: f64 = rng.gen();
            ENGLISH[((r * r) * ENGLISH.len() as f64) as usize]
        };
        if i > 0 && !(zh && chinese) {
            out.push(' ');
        }
        out.push_str(word);
    }
    if rng.gen_ratio(1, 100_000) {
        out.push(' ');
        out.push_str(RARE[rng.gen_range(0..RARE.len())]);
    }
    out
}
