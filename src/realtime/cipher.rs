//! Fill notices (H0STCNI0/H0STCNI9) come encrypted: AES-256-CBC with the key and iv of the
//! subscribe answer (32 and 16 characters), the ciphertext base64, PKCS#7 padded.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use base64::Engine;

type Decryptor = cbc::Decryptor<aes::Aes256>;

/// The plain text of `b64`, or why not.
pub fn decrypt(b64: &str, key: &str, iv: &str) -> Result<String, String> {
    let data = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| format!("not base64: {e}"))?;
    let cipher = Decryptor::new_from_slices(key.as_bytes(), iv.as_bytes())
        .map_err(|_| "the key must be 32 bytes and the iv 16".to_string())?;
    let plain = cipher
        .decrypt_padded_vec_mut::<Pkcs7>(&data)
        .map_err(|_| "wrong key or iv, or a cut frame (bad padding)".to_string())?;
    String::from_utf8(plain).map_err(|_| "the plain text is not UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockEncryptMut;

    pub(crate) fn encrypt(plain: &str, key: &str, iv: &str) -> String {
        let c =
            cbc::Encryptor::<aes::Aes256>::new_from_slices(key.as_bytes(), iv.as_bytes()).unwrap();
        let data = c.encrypt_padded_vec_mut::<Pkcs7>(plain.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(data)
    }

    #[test]
    fn a_fill_notice_round_trips_and_a_wrong_key_is_an_error() {
        let (key, iv) = ("0123456789abcdef0123456789abcdef", "fedcba9876543210");
        let notice = "a1b2c3^50012345^0000001234^^02^0^00^0^005930^10^71000^093015^N^1^Y";
        let sealed = encrypt(notice, key, iv);
        assert_eq!(decrypt(&sealed, key, iv).unwrap(), notice);
        assert!(decrypt(&sealed, "ffffffffffffffffffffffffffffffff", iv).is_err());
        assert!(decrypt("not base64!", key, iv).is_err());
        assert!(decrypt(&sealed, "short", iv).is_err());
    }
}
