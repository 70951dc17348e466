//! The alert rules of DOMAIN.md as a pure function: from the judged month's
//! measures to the alerts that should be open. `mod.rs` picks the month (the
//! latest whose reports are due), compares the alerts with what is open and
//! raises, updates or resolves. Thresholds come from the fiscal year's settings.
//!
//! A bureau that has not reported the judged month is `missing_report`, never
//! `behind_plan` (its figures would be carried forward, not its own); the
//! cabinet's targets are judged per scope (overall, current, capital).

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::{AlertKind, Severity};
use crate::domain::fiscal::{english_month_label, thai_date, thai_month_label};
use crate::domain::money::fixed2;
use crate::domain::{FiscalMonth, FiscalYear};
use crate::monitoring::queries::Scope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    pub kind: AlertKind,
    pub severity: Severity,
    pub month: FiscalMonth,
    pub bureau_id: Option<i32>,
    /// For a project's alert (`over_commitment`).
    pub project_id: Option<i32>,
    pub scope_key: String,
    pub message_th: String,
    pub message_en: String,
    pub details: Value,
}

pub struct BureauLag {
    pub id: i32,
    pub code: String,
    pub name_th: String,
    pub lag_pp: Option<Decimal>,
    /// Whether the bureau's report of the judged month is in.
    pub reported: bool,
}

/// A scope's disbursed rate and its cabinet target at a quarter's end.
pub struct ScopeTarget {
    pub scope: Scope,
    pub disbursed_rate: Option<Decimal>,
    pub target: Option<Decimal>,
}

pub struct Missing {
    pub bureau_id: i32,
    pub code: String,
    pub name_th: String,
    pub month: FiscalMonth,
    pub due: chrono::NaiveDate,
}

/// A bureau whose submitted report of the judged month differs from the ledger
/// by more than the year's tolerance.
pub struct Mismatch {
    pub bureau_id: i32,
    pub code: String,
    pub name_th: String,
    pub difference_rate: Decimal,
    pub tolerance: Decimal,
}

/// A project whose ledger D + C is more than its allocation in force.
pub struct OverCommitted {
    pub project_id: i32,
    pub bureau_id: i32,
    pub code: String,
    pub bureau_code: String,
    pub allocation: Decimal,
    pub used: Decimal,
}

pub struct Inputs {
    pub fy: FiscalYear,
    pub month: FiscalMonth,
    pub warn_pp: Decimal,
    pub critical_pp: Decimal,
    pub office_lag_pp: Option<Decimal>,
    pub targets: Vec<ScopeTarget>,
    pub forecast: Option<Decimal>,
    pub level5: Option<Decimal>,
    pub bureaus: Vec<BureauLag>,
    pub missing: Vec<Missing>,
    pub mismatches: Vec<Mismatch>,
    pub over: Vec<OverCommitted>,
}

fn behind(inputs: &Inputs, lag: Option<Decimal>) -> Option<(Severity, Decimal, Decimal)> {
    let lag = lag?;
    if lag >= inputs.critical_pp {
        Some((Severity::Critical, lag, inputs.critical_pp))
    } else if lag >= inputs.warn_pp {
        Some((Severity::Warning, lag, inputs.warn_pp))
    } else {
        None
    }
}

pub fn evaluate(inputs: &Inputs) -> Vec<Desired> {
    let label = thai_month_label(inputs.fy, inputs.month);
    let label_en = english_month_label(inputs.fy, inputs.month);
    let mut out = Vec::new();
    let level_th = |s: Severity| if s == Severity::Critical { "วิกฤต" } else { "เตือน" };
    if let Some((severity, lag, t)) = behind(inputs, inputs.office_lag_pp) {
        out.push(Desired {
            kind: AlertKind::BehindPlan,
            severity,
            month: inputs.month,
            bureau_id: None,
            project_id: None,
            scope_key: "office".into(),
            message_th: format!(
                "ภาพรวมสำนักงานล่าช้ากว่าแผน {} จุด ณ {label} (เกณฑ์{} {} จุด)",
                fixed2(lag),
                level_th(severity),
                fixed2(t)
            ),
            message_en: format!(
                "The office is {} points behind plan in {label_en} ({severity} threshold {})",
                fixed2(lag),
                fixed2(t)
            ),
            details: json!({"lag_pp": fixed2(lag), "threshold_pp": fixed2(t)}),
        });
    }
    for b in inputs.bureaus.iter().filter(|b| b.reported) {
        if let Some((severity, lag, t)) = behind(inputs, b.lag_pp) {
            out.push(Desired {
                kind: AlertKind::BehindPlan,
                severity,
                month: inputs.month,
                bureau_id: Some(b.id),
                project_id: None,
                scope_key: format!("bureau:{}", b.code),
                message_th: format!(
                    "{} ล่าช้ากว่าแผน {} จุด ณ {label} (เกณฑ์{} {} จุด)",
                    b.name_th,
                    fixed2(lag),
                    level_th(severity),
                    fixed2(t)
                ),
                message_en: format!(
                    "{} is {} points behind plan in {label_en} ({severity} threshold {})",
                    b.code,
                    fixed2(lag),
                    fixed2(t)
                ),
                details: json!({"lag_pp": fixed2(lag), "threshold_pp": fixed2(t)}),
            });
        }
    }
    if inputs.month.is_quarter_end() {
        let q = inputs.month.quarter();
        for t in &inputs.targets {
            let (Some(rate), Some(target)) = (t.disbursed_rate, t.target) else { continue };
            if rate >= target {
                continue;
            }
            let (scope_key, what_th, what_en) = match t.scope {
                Scope::Overall => ("office".to_string(), "ภาพรวม", "Overall"),
                Scope::Current => ("office:current".to_string(), "รายจ่ายประจำ", "Current spending"),
                Scope::Capital => ("office:capital".to_string(), "รายจ่ายลงทุน", "Capital spending"),
            };
            out.push(Desired {
                kind: AlertKind::BelowTarget,
                severity: Severity::Warning,
                month: inputs.month,
                bureau_id: None,
                project_id: None,
                scope_key,
                message_th: format!(
                    "ผลการเบิกจ่าย{what_th}ร้อยละ {} ต่ำกว่าเป้าหมายการเบิกจ่ายของคณะรัฐมนตรี ไตรมาสที่ {q} (ร้อยละ {})",
                    fixed2(rate),
                    fixed2(target)
                ),
                message_en: format!(
                    "{what_en}: disbursed {}% is below the cabinet's quarter {q} target of {}%",
                    fixed2(rate),
                    fixed2(target)
                ),
                details: json!({"scope": t.scope.as_str(), "disbursed_rate": fixed2(rate), "target": fixed2(target), "quarter": q}),
            });
        }
    }
    if let (Some(forecast), Some(level5)) = (inputs.forecast, inputs.level5) {
        if forecast < level5 {
            out.push(Desired {
                kind: AlertKind::KpiAtRisk,
                severity: Severity::Warning,
                month: inputs.month,
                bureau_id: None,
                project_id: None,
                scope_key: "office".into(),
                message_th: format!(
                    "คาดการณ์ผลการเบิกจ่ายและก่อหนี้ผูกพัน ณ สิ้นปี ร้อยละ {} ต่ำกว่าเป้าหมายระดับ 5 (ร้อยละ {})",
                    fixed2(forecast),
                    fixed2(level5)
                ),
                message_en: format!(
                    "The year-end forecast of {}% is below the level-5 target of {}%",
                    fixed2(forecast),
                    fixed2(level5)
                ),
                details: json!({"forecast": fixed2(forecast), "level5": fixed2(level5)}),
            });
        }
    }
    for m in &inputs.missing {
        let month_label = thai_month_label(inputs.fy, m.month);
        let month_label_en = english_month_label(inputs.fy, m.month);
        out.push(Desired {
            kind: AlertKind::MissingReport,
            severity: Severity::Warning,
            month: m.month,
            bureau_id: Some(m.bureau_id),
            project_id: None,
            scope_key: format!("bureau:{}", m.code),
            message_th: format!("{} ยังไม่ส่งรายงานผลการเบิกจ่าย {month_label} (ครบกำหนด {})", m.name_th, thai_date(m.due)),
            message_en: format!("{} has not submitted its report for {month_label_en} (due {})", m.code, m.due),
            details: json!({"due": m.due}),
        });
    }
    for m in &inputs.mismatches {
        out.push(Desired {
            kind: AlertKind::LedgerMismatch,
            severity: Severity::Warning,
            month: inputs.month,
            bureau_id: Some(m.bureau_id),
            project_id: None,
            scope_key: format!("bureau:{}", m.code),
            message_th: format!(
                "รายงานของ{} {label} ไม่ตรงกับบัญชีคุมการเบิกจ่าย: ต่างกันร้อยละ {} ของงบประมาณ (เกณฑ์ร้อยละ {})",
                m.name_th,
                fixed2(m.difference_rate),
                fixed2(m.tolerance)
            ),
            message_en: format!(
                "{}'s report for {label_en} differs from the control ledger by {}% of its allocation (tolerance {}%)",
                m.code,
                fixed2(m.difference_rate),
                fixed2(m.tolerance)
            ),
            details: json!({"difference_rate": fixed2(m.difference_rate), "tolerance": fixed2(m.tolerance)}),
        });
    }
    for o in &inputs.over {
        out.push(Desired {
            kind: AlertKind::OverCommitment,
            severity: Severity::Critical,
            month: inputs.month,
            bureau_id: Some(o.bureau_id),
            project_id: Some(o.project_id),
            scope_key: format!("project:{}", o.project_id),
            message_th: format!(
                "โครงการ {} ({}) เบิกจ่ายและก่อหนี้ผูกพันตามบัญชีคุม {} บาท เกินงบประมาณ {} บาท",
                o.code,
                o.bureau_code,
                crate::domain::money::format_baht(o.used),
                crate::domain::money::format_baht(o.allocation)
            ),
            message_en: format!(
                "Project {} ({}) has {} baht disbursed and committed in the ledger, beyond its allocation of {} baht",
                o.code,
                o.bureau_code,
                crate::domain::money::format_baht(o.used),
                crate::domain::money::format_baht(o.allocation)
            ),
            details: json!({"used": fixed2(o.used), "allocation": fixed2(o.allocation)}),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn inputs() -> Inputs {
        Inputs {
            fy: FiscalYear::new(2570).unwrap(),
            month: FiscalMonth::new(3).unwrap(),
            warn_pp: d("5"),
            critical_pp: d("15"),
            office_lag_pp: Some(d("4.99")),
            targets: vec![
                ScopeTarget { scope: Scope::Overall, disbursed_rate: Some(d("31.99")), target: Some(d("32")) },
                ScopeTarget { scope: Scope::Current, disbursed_rate: Some(d("35")), target: Some(d("35")) },
                ScopeTarget { scope: Scope::Capital, disbursed_rate: Some(d("18.99")), target: Some(d("19")) },
            ],
            forecast: Some(d("97")),
            level5: Some(d("97")),
            bureaus: vec![
                BureauLag {
                    id: 1,
                    code: "DHR".into(),
                    name_th: "สำนักดิจิทัลสิทธิมนุษยชน".into(),
                    lag_pp: Some(d("15")),
                    reported: true,
                },
                BureauLag {
                    id: 2,
                    code: "PSB".into(),
                    name_th: "สำนักนโยบายและยุทธศาสตร์".into(),
                    lag_pp: Some(d("5")),
                    reported: true,
                },
                BureauLag {
                    id: 3, code: "CAB".into(), name_th: "สำนักบริหารกลาง".into(), lag_pp: None, reported: true
                },
                // Far behind on carried-forward figures, but it has not reported.
                BureauLag {
                    id: 4,
                    code: "COMM".into(),
                    name_th: "สำนักสื่อสารองค์กร".into(),
                    lag_pp: Some(d("40")),
                    reported: false,
                },
            ],
            missing: vec![],
            mismatches: vec![],
            over: vec![],
        }
    }

    #[test]
    fn thresholds_are_inclusive_and_severity_follows_them() {
        let out = evaluate(&inputs());
        let behind: Vec<(&str, &str)> = out
            .iter()
            .filter(|a| a.kind == AlertKind::BehindPlan)
            .map(|a| (a.scope_key.as_str(), a.severity.as_str()))
            .collect();
        assert_eq!(behind, [("bureau:DHR", "critical"), ("bureau:PSB", "warning")], "COMM has not reported");
        let dhr = out.iter().find(|a| a.scope_key == "bureau:DHR").unwrap();
        assert_eq!(dhr.message_th, "สำนักดิจิทัลสิทธิมนุษยชน ล่าช้ากว่าแผน 15.00 จุด ณ ธ.ค. 2569 (เกณฑ์วิกฤต 15.00 จุด)");
    }

    #[test]
    fn below_target_only_at_a_quarter_end_and_kpi_only_below_level_5() {
        let out = evaluate(&inputs());
        // Each scope against its own target: overall and capital are below (by a
        // satang's worth of rate), current is exactly on it.
        let below: Vec<&str> =
            out.iter().filter(|a| a.kind == AlertKind::BelowTarget).map(|a| a.scope_key.as_str()).collect();
        assert_eq!(below, ["office", "office:capital"]);
        assert!(!out.iter().any(|a| a.kind == AlertKind::KpiAtRisk), "97.00 reaches level 5");
        let mut i = inputs();
        i.month = FiscalMonth::new(2).unwrap();
        i.forecast = Some(d("96.99"));
        let out = evaluate(&i);
        assert!(!out.iter().any(|a| a.kind == AlertKind::BelowTarget));
        assert!(out.iter().any(|a| a.kind == AlertKind::KpiAtRisk && a.scope_key == "office"));
    }
}
