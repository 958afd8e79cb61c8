//! Traveller identity for false-positive suppression: a keyed digest of who the traveller is
//! (normalised name, date of birth, document numbers), so that "this traveller is not that listed
//! person" can be remembered without keeping the traveller's data in the suppression table.
//!
//! The digest is keyed with a random per-store secret: the same person gets the same identity in
//! one store, and a copied suppression table alone cannot be tested against guessed names and
//! birth dates. It is pseudonymisation, not anonymisation: whoever holds the store's key can.
//!
//! An identity needs either a document number or a full date of birth besides the name: a name
//! alone (or with a birth year) is shared by namesakes, and a decision about one of them must not
//! silence alerts for the others.

use super::TravellerRef;
use sha2::{Digest, Sha256};

/// The traveller's identity under `key`, or `None` when the traveller carries too little to be
/// told apart from namesakes.
pub fn traveller_identity(key: &[u8], t: &TravellerRef) -> Option<String> {
    let full_dob = t.dob.as_deref().filter(|d| d.len() == 10);
    // passports identify a person across trips; visas and other documents change
    let passports: Vec<&str> = t
        .documents
        .iter()
        .filter(|d| {
            d.doc_type
                .as_deref()
                .is_some_and(|ty| ty.starts_with('P') || ty.starts_with('p'))
        })
        .map(|d| d.number.as_str())
        .collect();
    let numbers: Vec<&str> = if passports.is_empty() {
        t.documents.iter().map(|d| d.number.as_str()).collect()
    } else {
        passports
    };
    let mut docs: Vec<String> = numbers
        .iter()
        .map(|n| crate::index::fold_document_number(n))
        .filter(|n| !n.is_empty())
        .collect();
    docs.sort();
    docs.dedup();
    if docs.is_empty() && full_dob.is_none() {
        return None;
    }
    // name parts as a bag: the same person sent as "SMITH JOHN" or "JOHN SMITH"
    let mut parts: Vec<String> = crate::names::parts(&t.name)
        .iter()
        .map(|p| p.text().to_string())
        .collect();
    if parts.is_empty() {
        return None;
    }
    parts.sort();
    let mut h = Sha256::new();
    h.update(b"paxscreen-identity-v1\0");
    h.update((key.len() as u64).to_le_bytes());
    h.update(key);
    for field in [
        parts.join(" "),
        t.dob.clone().unwrap_or_default(),
        docs.join(","),
    ] {
        h.update((field.len() as u64).to_le_bytes());
        h.update(field.as_bytes());
    }
    Some(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::DocumentRef;

    fn t(name: &str, dob: Option<&str>, docs: &[(&str, &str)]) -> TravellerRef {
        TravellerRef {
            name: name.into(),
            dob: dob.map(str::to_string),
            documents: docs
                .iter()
                .map(|(ty, n)| DocumentRef {
                    doc_type: Some(ty.to_string()),
                    number: n.to_string(),
                    country: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn same_person_same_identity_whatever_the_order_case_or_visa() {
        let k = b"key";
        let a = traveller_identity(k, &t("JOHN SMITH", Some("1970-01-02"), &[("P", "X123")]));
        let b = traveller_identity(
            k,
            &t(
                "smith john",
                Some("1970-01-02"),
                &[("P", "x123"), ("V", "VISA9")],
            ),
        );
        assert!(a.is_some());
        assert_eq!(a, b);
        // no plain data in the digest
        let d = a.unwrap();
        assert_eq!(d.len(), 64);
        assert!(!d.to_ascii_uppercase().contains("X123"));
    }

    #[test]
    fn other_person_key_or_thin_data_differ_or_have_none() {
        let k = b"key";
        let base = traveller_identity(k, &t("JOHN SMITH", Some("1970-01-02"), &[("P", "X123")]));
        for other in [
            t("JOHN SMYTH", Some("1970-01-02"), &[("P", "X123")]),
            t("JOHN SMITH", Some("1970-01-03"), &[("P", "X123")]),
            t("JOHN SMITH", Some("1970-01-02"), &[("P", "X124")]),
        ] {
            assert_ne!(traveller_identity(k, &other), base);
        }
        assert_ne!(
            traveller_identity(
                b"other",
                &t("JOHN SMITH", Some("1970-01-02"), &[("P", "X123")])
            ),
            base
        );
        // a name with only a birth year identifies nobody
        assert_eq!(
            traveller_identity(k, &t("JOHN SMITH", Some("1970"), &[])),
            None
        );
        assert_eq!(traveller_identity(k, &t("JOHN SMITH", None, &[])), None);
        assert!(traveller_identity(k, &t("JOHN SMITH", Some("1970-01-02"), &[])).is_some());
    }
}
