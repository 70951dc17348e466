//! User-facing strings of the pages, one table per language: Thai first, English
//! available (`?lang=en`). Text is data here; page code asks for it by key, and a
//! key missing from a table is a test failure, not a blank on a page.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Th,
    En,
}

impl Lang {
    pub fn from_query(q: Option<&str>) -> Lang {
        match q {
            Some("en") => Lang::En,
            _ => Lang::Th,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
        }
    }

    /// The string for `key`; the key itself if a table lacks it (and the test says so).
    pub fn t(self, key: &str) -> &'static str {
        let table = match self {
            Lang::Th => TH,
            Lang::En => EN,
        };
        table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).unwrap_or_else(|| {
            tracing::warn!(key, lang = self.code(), "missing page string");
            "?"
        })
    }
}

const TH: &[(&str, &str)] = &[
    ("report.title", "รายงานผลการเบิกจ่าย"),
    ("report.history_title", "ประวัติรายงาน"),
    ("status", "สถานะ"),
    ("status.not_started", "ยังไม่เริ่ม"),
    ("status.submitted", "ส่งแล้ว (ฉบับที่ {n}) เมื่อ {at}"),
    ("status.draft", "ร่าง (ฉบับที่ {n})"),
    ("on_time", "ทันกำหนด"),
    ("late", "เกินกำหนด"),
    ("due", "กำหนดส่ง {date} เวลา 23:59 น."),
    ("locked", "เดือนนี้ปิดแล้ว แก้ไขไม่ได้"),
    ("history", "ประวัติการแก้ไข"),
    ("excel", "แบบฟอร์ม Excel"),
    ("preview.title", "ผลตามตัวเลขที่กรอก"),
    ("preview.plan_rate", "ร้อยละตามแผน"),
    ("preview.used_rate", "ร้อยละเบิกจ่าย+ก่อหนี้ผูกพัน"),
    ("preview.lag", "ล่าช้ากว่าแผน (จุด)"),
    ("preview.warn", "เกณฑ์เตือน (จุด)"),
    ("preview.narrative_required", "สำนักล่าช้ากว่าแผนถึงเกณฑ์เตือน: ต้องระบุปัญหาอุปสรรคและข้อเสนอแนะก่อนส่งรายงาน"),
    ("table.caption", "ผลการเบิกจ่ายรายโครงการ (บาท)"),
    ("col.project", "โครงการ"),
    ("col.category", "งบรายจ่าย"),
    ("col.allocation", "งบประมาณ"),
    ("col.planned", "แผนสะสม"),
    ("col.before", "เบิกจ่ายสะสมถึงเดือนก่อน"),
    ("col.disbursed", "เบิกจ่ายเดือนนี้"),
    ("col.committed", "ก่อหนี้ผูกพันคงเหลือ ณ สิ้นเดือน"),
    ("obstacles", "ปัญหาอุปสรรค"),
    ("limitations", "ข้อจำกัด"),
    ("suggestions", "ข้อเสนอแนะ/แนวทางแก้ไข"),
    ("required_to_submit", "(จำเป็นต้องระบุก่อนส่ง)"),
    ("action.preview", "ดูผลก่อนบันทึก"),
    ("action.draft", "บันทึกร่าง"),
    ("action.submit", "ส่งรายงาน"),
    ("errors.title", "ยังบันทึกไม่ได้ กรุณาแก้ไข:"),
    ("done.draft", "บันทึกร่างแล้ว"),
    ("done.submitted", "ส่งรายงานแล้ว ขอบคุณค่ะ"),
    ("import.title", "หรือนำเข้าจากแบบฟอร์ม Excel"),
    ("import.label", "ไฟล์ .xlsx ที่ดาวน์โหลดจากหน้านี้และกรอกแล้ว (บันทึกเป็นร่าง ตรวจสอบแล้วจึงส่ง)"),
    ("import.button", "นำเข้า"),
    ("switch", "English"),
];

const EN: &[(&str, &str)] = &[
    ("report.title", "Disbursement report"),
    ("report.history_title", "Report history"),
    ("status", "Status"),
    ("status.not_started", "Not started"),
    ("status.submitted", "Submitted (revision {n}) on {at}"),
    ("status.draft", "Draft (revision {n})"),
    ("on_time", "on time"),
    ("late", "late"),
    ("due", "due {date} at 23:59"),
    ("locked", "this month is locked and cannot be changed"),
    ("history", "Revision history"),
    ("excel", "Excel template"),
    ("preview.title", "What these figures make"),
    ("preview.plan_rate", "Plan (%)"),
    ("preview.used_rate", "Disbursed + committed (%)"),
    ("preview.lag", "Behind plan (points)"),
    ("preview.warn", "Warning threshold (points)"),
    (
        "preview.narrative_required",
        "The bureau is behind plan by the warning threshold: give obstacles and suggestions to submit",
    ),
    ("table.caption", "Disbursement by project (baht)"),
    ("col.project", "Project"),
    ("col.category", "Category"),
    ("col.allocation", "Allocation"),
    ("col.planned", "Plan to date"),
    ("col.before", "Disbursed before this month"),
    ("col.disbursed", "Disbursed this month"),
    ("col.committed", "Committed at month end"),
    ("obstacles", "Obstacles"),
    ("limitations", "Limitations"),
    ("suggestions", "Suggestions and solutions"),
    ("required_to_submit", "(required to submit)"),
    ("action.preview", "Preview"),
    ("action.draft", "Save draft"),
    ("action.submit", "Submit report"),
    ("errors.title", "Not saved yet. Please correct:"),
    ("done.draft", "Draft saved"),
    ("done.submitted", "Report submitted. Thank you."),
    ("import.title", "Or import the Excel template"),
    ("import.label", "The .xlsx downloaded from this page, filled in (saved as a draft to check, then submit)"),
    ("import.button", "Import"),
    ("switch", "ภาษาไทย"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_key() {
        for (k, _) in TH {
            assert!(EN.iter().any(|(e, _)| e == k), "English lacks {k}");
        }
        for (k, _) in EN {
            assert!(TH.iter().any(|(t, _)| t == k), "Thai lacks {k}");
        }
        assert_eq!(Lang::from_query(Some("en")).t("action.submit"), "Submit report");
        assert_eq!(Lang::from_query(None).t("action.submit"), "ส่งรายงาน");
    }
}
