//! What a file is, judged by its bytes alone; images decoded and written anew.
//!
//! An image must decode completely; it is then re-encoded from its pixels, so metadata (EXIF,
//! GPS, comments) and anything appended after the image data (a polyglot's HTML or zip) are
//! not in what is stored. Everything else is kept as sent and only ever served as a download.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

/// Longest side of a thumbnail, in pixels.
pub const THUMBNAIL_PX: u32 = 320;
/// Largest width or height of an image accepted (a decompression bomb stops here).
const MAX_SIDE: u32 = 12_000;
/// Most memory one image may take while it is decoded.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// The type the content says it is.
pub fn sniff(bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head)
        .trim_start()
        .to_ascii_lowercase();
    // Before infer, which calls an SVG document text/xml.
    if text.starts_with("<svg") || (text.starts_with("<?xml") && text.contains("<svg")) {
        return "image/svg+xml";
    }
    if let Some(t) = infer::get(bytes) {
        return t.mime_type();
    }
    let markup = [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<script",
        "<iframe",
    ];
    if markup.iter().any(|m| text.starts_with(m)) {
        return "text/html";
    }
    if std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) {
        return "text/plain";
    }
    "application/octet-stream"
}

/// The image formats that are decoded, re-encoded and shown inline.
pub fn raster_format(content_type: &str) -> Option<ImageFormat> {
    match content_type {
        "image/png" => Some(ImageFormat::Png),
        "image/jpeg" => Some(ImageFormat::Jpeg),
        "image/gif" => Some(ImageFormat::Gif),
        "image/webp" => Some(ImageFormat::WebP),
        _ => None,
    }
}

/// An image as it is stored: re-encoded, with its thumbnail when it is larger than one.
pub struct Reencoded {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// PNG or JPEG, at most `THUMBNAIL_PX` on its longest side.
    pub thumbnail: Option<Vec<u8>>,
}

/// Decodes the whole image (the first frame of an animation) and writes it again in its format.
pub fn reencode(bytes: &[u8], format: ImageFormat) -> Result<Reencoded, String> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| e.to_string())?;
    let (width, height) = (image.width(), image.height());
    let bytes = encode(&image, format)?;
    let thumbnail = if width > THUMBNAIL_PX || height > THUMBNAIL_PX {
        let small = image.thumbnail(THUMBNAIL_PX, THUMBNAIL_PX);
        let thumb_format = if format == ImageFormat::Jpeg {
            ImageFormat::Jpeg
        } else {
            ImageFormat::Png
        };
        Some(encode(&small, thumb_format)?)
    } else {
        None
    };
    Ok(Reencoded {
        bytes,
        width,
        height,
        thumbnail,
    })
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, String> {
    // JPEG has no alpha; the lossless WebP and GIF encoders take 8-bit RGBA.
    let image = match format {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8()),
        ImageFormat::Png => image.clone(),
        _ => DynamicImage::ImageRgba8(image.to_rgba8()),
    };
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, format)
        .map_err(|e| format!("cannot encode the image: {e}"))?;
    Ok(out.into_inner())
}

/// The thumbnail's type for an image of `content_type`.
pub fn thumbnail_type(content_type: &str) -> &'static str {
    if content_type == "image/jpeg" {
        "image/jpeg"
    } else {
        "image/png"
    }
}

/// A file name fit for display and for a Content-Disposition header: its last path segment,
/// without control characters or leading dots, at most 255 bytes. Never used as a path.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let kept: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .collect();
    let mut name = kept.trim().trim_start_matches('.').trim().to_string();
    while name.len() > 255 {
        name.pop();
    }
    if name.is_empty() {
        "file".to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(clean_name("../"), "file");
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(clean_name("a\u{0}b\r\n.png"), "ab.png");
        assert_eq!(clean_name("Résumé \"2024\".pdf"), "Résumé 2024.pdf");
        assert!(clean_name(&"é".repeat(300)).len() <= 255);
    }

    #[test]
    fn types_come_from_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff(b"%PDF-1.4\n"), "application/pdf");
        assert_eq!(sniff(b"  <!DOCTYPE html><p>x"), "text/html");
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><svg/>"), "image/svg+xml");
        assert_eq!(sniff(b"just words"), "text/plain");
        assert_eq!(sniff(b"\x00\x01\x02"), "application/octet-stream");
    }
}
