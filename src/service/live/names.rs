//! A friendly, stable name for a visitor who gave none: an adjective and an animal, in English
//! or Chinese by the visitor's language, chosen from their id.

const ADJECTIVES: [(&str, &str); 16] = [
    ("Brave", "勇敢的"),
    ("Calm", "安静的"),
    ("Clever", "聪明的"),
    ("Curious", "好奇的"),
    ("Gentle", "温柔的"),
    ("Happy", "快乐的"),
    ("Kind", "善良的"),
    ("Lively", "活泼的"),
    ("Lucky", "幸运的"),
    ("Merry", "愉快的"),
    ("Nimble", "敏捷的"),
    ("Polite", "礼貌的"),
    ("Quiet", "文静的"),
    ("Sunny", "阳光的"),
    ("Swift", "迅速的"),
    ("Witty", "风趣的"),
];

const ANIMALS: [(&str, &str); 16] = [
    ("Otter", "水獭"),
    ("Panda", "熊猫"),
    ("Fox", "狐狸"),
    ("Owl", "猫头鹰"),
    ("Dolphin", "海豚"),
    ("Koala", "考拉"),
    ("Rabbit", "兔子"),
    ("Penguin", "企鹅"),
    ("Tiger", "老虎"),
    ("Deer", "小鹿"),
    ("Swan", "天鹅"),
    ("Squirrel", "松鼠"),
    ("Hedgehog", "刺猬"),
    ("Falcon", "猎鹰"),
    ("Lynx", "猞猁"),
    ("Whale", "鲸鱼"),
];

/// FNV-1a: stable across builds and platforms (std's hasher is not).
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The generated name of the visitor `id`; Chinese when `language` starts with `zh`.
pub fn friendly_name(id: &str, language: Option<&str>) -> String {
    let h = fnv(id);
    let (adj, animal) = (
        ADJECTIVES[(h % 16) as usize],
        ANIMALS[((h >> 8) % 16) as usize],
    );
    let chinese = language.is_some_and(|l| l.trim().to_lowercase().starts_with("zh"));
    if chinese {
        format!("{}{}", adj.1, animal.1)
    } else {
        format!("{} {}", adj.0, animal.0)
    }
}

#[cfg(test)]
mod tests {
    use super::friendly_name;

    #[test]
    fn stable_and_localised() {
        let a = friendly_name("0193a1b2-visitor", None);
        assert_eq!(a, friendly_name("0193a1b2-visitor", Some("en-GB")));
        assert_eq!(a.split(' ').count(), 2);
        let zh = friendly_name("0193a1b2-visitor", Some("zh-CN"));
        assert!(zh.contains('的'), "{zh}");
    }
}
