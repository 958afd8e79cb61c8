use super::*;
use std::collections::HashSet;
use std::time::Instant;

fn is_passport_text(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.bytes().all(|b| b.is_ascii_uppercase() || b == b' ')
}

#[test]
fn same_seed_gives_same_output() {
    let a = Population::new();
    let b = Population::new();
    let (mut ra, mut rb) = (Rng::new(42), Rng::new(42));
    let ta: Vec<Passenger> = (0..500).map(|_| a.traveller(&mut ra)).collect();
    let tb: Vec<Passenger> = (0..500).map(|_| b.traveller(&mut rb)).collect();
    assert_eq!(ta, tb);
    let wa = a.watchlist_padding(&mut ra, 300, "s:");
    let wb = b.watchlist_padding(&mut rb, 300, "s:");
    assert_eq!(wa, wb);

    let mut rc = Rng::new(43);
    let c = Population::new();
    let tc: Vec<Passenger> = (0..500).map(|_| c.traveller(&mut rc)).collect();
    assert_ne!(ta, tc, "a different seed gives different travellers");
}

#[test]
fn embedded_lists_are_clean_and_big_enough() {
    let pop = Population::new();
    for culture in Culture::ALL {
        let (m, f, s) = pop.counts(culture);
        assert!(m >= 150, "{culture:?}: {m} male given names");
        assert!(f >= 150, "{culture:?}: {f} female given names");
        // Chinese, Korean and Vietnamese have few surnames in real life.
        let min_surnames = match culture {
            Culture::Chinese | Culture::Korean | Culture::Vietnamese => 90,
            _ => 200,
        };
        assert!(s >= min_surnames, "{culture:?}: {s} surnames");
        let d = &pop.cultures[culture as usize];
        for list in [&d.male, &d.female, &d.surname] {
            for name in &list.items {
                assert!(
                    is_passport_text(name),
                    "{culture:?}: bad list entry {name:?}"
                );
            }
        }
    }
}

#[test]
fn every_culture_produces_clean_names() {
    let pop = Population::new();
    let mut rng = Rng::new(7);
    for culture in Culture::ALL {
        let mut distinct = HashSet::new();
        for _ in 0..300 {
            let p = pop.traveller_in(&mut rng, culture);
            let surname = p.surname.clone().expect("surname");
            assert!(
                is_passport_text(&surname),
                "{culture:?}: surname {surname:?}"
            );
            if let Some(g) = &p.given_names {
                assert!(is_passport_text(g), "{culture:?}: given names {g:?}");
            }
            assert!(p.dob.is_some() && p.gender.is_some() && p.nationality.is_some());
            assert_eq!(p.documents.len(), 1);
            let doc = &p.documents[0];
            assert_eq!(doc.doc_type.as_deref(), Some("P"));
            assert!(doc.number.len() >= 8 && doc.number.bytes().all(|b| b.is_ascii_alphanumeric()));
            distinct.insert(p.display_name());
        }
        assert!(
            distinct.len() > 250,
            "{culture:?}: only {} distinct names",
            distinct.len()
        );
    }
}

#[test]
fn travellers_have_realistic_ages_and_valid_dates() {
    let pop = Population::new();
    let mut rng = Rng::new(1);
    let mut children = 0;
    for _ in 0..5000 {
        let p = pop.traveller(&mut rng);
        let dob = p.dob.unwrap();
        let age = pop.as_of_year as i32 - dob.year as i32;
        assert!((0..=91).contains(&age), "age {age}");
        if age < 12 {
            children += 1;
        }
        // Dates round-trip through the strict parser, so they are possible dates.
        assert_eq!(dob.to_string().parse::<PartialDate>().unwrap(), dob);
        let doc = &p.documents[0];
        assert!(doc.expiry.unwrap() > doc.issued.unwrap());
    }
    assert!(
        (100..1200).contains(&children),
        "{children} children in 5000"
    );
}

#[test]
fn nationality_codes_all_parse() {
    let mut seen = 0;
    for line in NATIONALITIES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (culture, rest) = line.split_once('\t').unwrap();
        assert!(Culture::from_name(culture).is_some(), "{culture}");
        for item in rest.split_whitespace() {
            let (code, weight) = item.split_once(':').unwrap();
            let c = Country::parse(code).unwrap_or_else(|| panic!("{code}"));
            assert_eq!(c.alpha3(), code);
            assert!(weight.parse::<u32>().unwrap() > 0);
            seen += 1;
        }
    }
    assert!(seen > 100);
    // Every culture has a row (Population::new panics otherwise).
    let _ = Population::new();
}

#[test]
fn watchlist_padding_looks_like_a_real_list() {
    let pop = Population::new();
    let mut rng = Rng::new(99);
    let entries = pop.watchlist_padding(&mut rng, 5000, "syn:");
    assert_eq!(entries.len(), 5000);
    assert_eq!(entries[0].id, "syn:0");
    assert_eq!(entries[4999].id, "syn:4999");
    let mut aliases = 0;
    let mut ranges = 0;
    let mut year_only = 0;
    let mut with_docs = 0;
    for e in &entries {
        assert_eq!(e.list, "synthetic");
        assert_eq!(e.entity_type, EntityType::Individual);
        assert!((1..=4).contains(&e.names.len()));
        assert_eq!(e.names[0].kind, NameKind::Primary);
        for n in &e.names {
            assert!(is_passport_text(&n.full), "{:?}", n.full);
        }
        aliases += e.names.len() - 1;
        for d in &e.dobs {
            match d {
                DateSpec::Between { from, to } => {
                    assert!(from < to);
                    ranges += 1;
                }
                DateSpec::Exact(p) if p.month.is_none() => year_only += 1,
                _ => {}
            }
            // Round-trips through the NDJSON text form.
            assert_eq!(d.to_string().parse::<DateSpec>().unwrap(), *d);
        }
        if !e.documents.is_empty() {
            with_docs += 1;
        }
    }
    assert!(aliases > 3000, "{aliases} aliases");
    assert!(
        ranges > 200 && year_only > 500,
        "{ranges} ranges, {year_only} year-only"
    );
    assert!(
        (1000..2500).contains(&with_docs),
        "{with_docs} with documents"
    );
}

#[test]
fn morphology_helpers() {
    assert_eq!(feminine_slavic("IVANOV"), "IVANOVA");
    assert_eq!(feminine_slavic("KOZLOVSKIY"), "KOZLOVSKAYA");
    assert_eq!(feminine_slavic("IVANOU"), "IVANOVA");
    assert_eq!(feminine_slavic("SHEVCHENKO"), "SHEVCHENKO");
    assert_eq!(feminine_east("KOWALSKI"), "KOWALSKA");
    assert_eq!(feminine_east("PAPADOPOULOS"), "PAPADOPOULOU");
    assert_eq!(feminine_east("GEORGIADIS"), "GEORGIADOU");
    assert_eq!(feminine_czech("NOVAK"), "NOVAKOVA");
    assert_eq!(feminine_czech("NOVOTNY"), "NOVOTNA");
    assert_eq!(feminine_czech("HAJEK"), "HAJKOVA");
    assert_eq!(feminine_czech("SVOBODA"), "SVOBODOVA");
    assert_eq!(patronymic("SERGEI", false), "SERGEEVICH");
    assert_eq!(patronymic("IVAN", true), "IVANOVNA");
    assert_eq!(patronymic("NIKITA", false), "NIKITICH");
}

#[test]
fn spelling_variants_stay_clean() {
    let mut rng = Rng::new(5);
    for name in [
        "MOHAMMED ABDUL RAHMAN AL SAYED",
        "SERGEI IVANOV",
        "ZHANG WEI",
        "KIM MIN JUN",
    ] {
        for _ in 0..50 {
            let v = spelling_variant(&mut rng, name);
            assert!(is_passport_text(&v), "{name} → {v:?}");
        }
    }
}

/// Prints the time for 100k travellers; run with `--release -- --nocapture`.
#[test]
fn hundred_thousand_travellers_timing() {
    let pop = Population::new();
    let mut rng = Rng::new(2024);
    let start = Instant::now();
    let mut bytes = 0usize;
    for _ in 0..100_000 {
        let p = pop.traveller(&mut rng);
        bytes += p.surname.as_deref().map_or(0, str::len);
    }
    let elapsed = start.elapsed();
    println!("100k travellers in {elapsed:?} ({bytes} surname bytes)");
    let start = Instant::now();
    let list = pop.watchlist_padding(&mut rng, 100_000, "s:");
    println!("100k watchlist entries in {:?}", start.elapsed());
    assert_eq!(list.len(), 100_000);
}
