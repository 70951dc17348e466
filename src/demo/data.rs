//! The demo office's fixed data: bureaus, the action-plan items they run, the
//! S-shaped monthly plan profiles and the Thai narratives a lagging bureau writes.
//! Text here is data, not logic; `generate` decides who lags and by how much.

use crate::domain::Category;

pub struct BureauSeed {
    pub code: &'static str,
    pub name_th: &'static str,
    pub name_en: &'static str,
}

/// Twelve bureaus; the first four are the seed report's own.
pub const BUREAUS: [BureauSeed; 12] = [
    BureauSeed {
        code: "PSB", name_th: "สำนักนโยบายและยุทธศาสตร์", name_en: "Policy and Strategy Bureau"
    },
    BureauSeed {
        code: "CAB", name_th: "สำนักบริหารกลาง", name_en: "Central Administration Bureau"
    },
    BureauSeed {
        code: "DHR", name_th: "สำนักดิจิทัลสิทธิมนุษยชน", name_en: "Digital Human Rights Bureau"
    },
    BureauSeed {
        code: "HRIC", name_th: "ศูนย์สารสนเทศสิทธิมนุษยชน", name_en: "Human Rights Information Centre"
    },
    BureauSeed { code: "LAW", name_th: "สำนักกฎหมาย", name_en: "Legal Affairs Bureau" },
    BureauSeed {
        code: "PROT", name_th: "สำนักคุ้มครองสิทธิมนุษยชน", name_en: "Human Rights Protection Bureau"
    },
    BureauSeed {
        code: "PROM", name_th: "สำนักส่งเสริมสิทธิมนุษยชน", name_en: "Human Rights Promotion Bureau"
    },
    BureauSeed {
        code: "INTL", name_th: "สำนักกิจการระหว่างประเทศ", name_en: "International Affairs Bureau"
    },
    BureauSeed {
        code: "COMM", name_th: "สำนักสื่อสารองค์กร", name_en: "Corporate Communications Bureau"
    },
    BureauSeed {
        code: "RES", name_th: "สำนักวิชาการและวิจัยสิทธิมนุษยชน", name_en: "Human Rights Research Bureau"
    },
    BureauSeed {
        code: "SOUTH",
        name_th: "ศูนย์ศึกษาและประสานงานด้านสิทธิมนุษยชนภาคใต้",
        name_en: "Southern Human Rights Study and Coordination Centre",
    },
    BureauSeed {
        code: "AUDIT", name_th: "หน่วยตรวจสอบภายใน", name_en: "Internal Audit Unit"
    },
];

pub struct ProjectSeed {
    pub bureau: &'static str,
    /// Appended to the bureau code: `PSB-01`.
    pub suffix: &'static str,
    pub name_th: &'static str,
    pub name_en: &'static str,
    pub category: Category,
    /// FY2566 allocation in thousands of baht.
    pub thousands: i64,
    pub plan: usize,
}

pub const PLANS: [&str; 3] = [
    "แผนงานบุคลากรภาครัฐ",
    "แผนงานพื้นฐานด้านการพัฒนาและเสริมสร้างศักยภาพทรัพยากรมนุษย์",
    "แผนงานยุทธศาสตร์ส่งเสริมและคุ้มครองสิทธิมนุษยชน",
];

use Category::*;

macro_rules! p {
    ($b:literal, $s:literal, $th:literal, $en:literal, $c:ident, $k:literal, $plan:literal) => {
        ProjectSeed { bureau: $b, suffix: $s, name_th: $th, name_en: $en, category: $c, thousands: $k, plan: $plan }
    };
}

pub const PROJECTS: [ProjectSeed; 48] = [
    p!("PSB", "01", "ค่าใช้จ่ายในการดำเนินงานของสำนักนโยบายและยุทธศาสตร์", "PSB operating expenses", Operating, 2400, 1),
    p!("PSB", "02", "จัดทำแผนปฏิบัติการและติดตามประเมินผล", "Action plan and evaluation", Operating, 3100, 2),
    p!("PSB", "03", "ประชุมเชิงปฏิบัติการจัดทำคำของบประมาณ", "Budget request workshops", Operating, 1200, 1),
    p!("PSB", "04", "พัฒนาระบบติดตามการใช้จ่ายงบประมาณ", "Budget monitoring system", Investment, 2500, 1),
    p!("CAB", "01", "เงินเดือนและค่าจ้างประจำ", "Salaries and permanent wages", Personnel, 118000, 0),
    p!("CAB", "02", "ค่าตอบแทนพนักงานราชการ", "Government employee remuneration", Personnel, 21500, 0),
    p!("CAB", "03", "ค่าสาธารณูปโภคและค่าเช่าอาคาร", "Utilities and office rent", Operating, 14200, 1),
    p!("CAB", "04", "จัดหาครุภัณฑ์สำนักงานและยานพาหนะ", "Office equipment and vehicles", Investment, 6800, 1),
    p!("DHR", "01", "ค่าใช้จ่ายในการดำเนินงานของสำนักดิจิทัลสิทธิมนุษยชน", "DHR operating expenses", Operating, 1900, 1),
    p!("DHR", "02", "พัฒนาแอปพลิเคชันมีสิทธิ์และบริการออนไลน์", "Mee Sit app and online services", Operating, 3600, 2),
    p!("DHR", "03", "จัดหาระบบคลาวด์และความมั่นคงปลอดภัยไซเบอร์", "Cloud and cybersecurity systems", Investment, 9200, 1),
    p!("DHR", "04", "อบรมทักษะดิจิทัลแก่บุคลากร", "Digital skills training", Operating, 800, 1),
    p!("HRIC", "01", "ค่าใช้จ่ายในการดำเนินงานของศูนย์สารสนเทศ", "HRIC operating expenses", Operating, 1300, 1),
    p!("HRIC", "02", "พัฒนาคลังความรู้และห้องสมุดสิทธิมนุษยชน", "Human rights library and knowledge base", Operating, 2200, 2),
    p!("HRIC", "03", "จัดหาครุภัณฑ์ห้องสมุดดิจิทัล", "Digital library equipment", Investment, 3400, 2),
    p!("HRIC", "04", "สำรวจความพึงพอใจผู้รับบริการ", "Service satisfaction survey", Operating, 500, 2),
    p!("LAW", "01", "ค่าใช้จ่ายในการดำเนินงานของสำนักกฎหมาย", "LAW operating expenses", Operating, 1500, 1),
    p!(
        "LAW",
        "02",
        "เสนอแนะการแก้ไขกฎหมายที่ละเมิดสิทธิมนุษยชน",
        "Recommendations on rights-violating laws",
        Operating,
        2700,
        2
    ),
    p!("LAW", "03", "ดำเนินคดีแทนผู้เสียหายในศาล", "Litigation on behalf of victims", Operating, 1800, 2),
    p!("LAW", "04", "ค่าตอบแทนที่ปรึกษากฎหมาย", "Legal advisers' fees", Other, 900, 2),
    p!("PROT", "01", "ค่าใช้จ่ายในการดำเนินงานของสำนักคุ้มครองสิทธิมนุษยชน", "PROT operating expenses", Operating, 2100, 1),
    p!("PROT", "02", "ตรวจสอบการละเมิดสิทธิมนุษยชนตามคำร้อง", "Investigation of complaints", Operating, 6400, 2),
    p!("PROT", "03", "ลงพื้นที่ตรวจสอบข้อเท็จจริง", "Fact-finding field missions", Operating, 3900, 2),
    p!("PROT", "04", "ไกล่เกลี่ยและประสานการคุ้มครองสิทธิ", "Mediation and protection coordination", Operating, 1700, 2),
    p!("PROM", "01", "ค่าใช้จ่ายในการดำเนินงานของสำนักส่งเสริมสิทธิมนุษยชน", "PROM operating expenses", Operating, 1800, 1),
    p!("PROM", "02", "สร้างเครือข่ายส่งเสริมสิทธิมนุษยชนระดับชุมชน", "Community human rights networks", Operating, 4300, 2),
    p!("PROM", "03", "เงินอุดหนุนองค์กรภาคประชาสังคม", "Grants to civil society organisations", Subsidy, 5000, 2),
    p!("PROM", "04", "รณรงค์วันสิทธิมนุษยชนสากล", "Human Rights Day campaign", Operating, 2000, 2),
    p!("INTL", "01", "ค่าใช้จ่ายในการดำเนินงานของสำนักกิจการระหว่างประเทศ", "INTL operating expenses", Operating, 1200, 1),
    p!("INTL", "02", "จัดทำรายงานคู่ขนานตามกลไก UPR", "Parallel reports to the UPR", Operating, 2300, 2),
    p!("INTL", "03", "ค่าบำรุงสมาชิก GANHRI และ APF", "GANHRI and APF membership fees", Other, 2600, 2),
    p!("INTL", "04", "ประชุมความร่วมมือระหว่างประเทศ", "International cooperation meetings", Operating, 1900, 2),
    p!("COMM", "01", "ค่าใช้จ่ายในการดำเนินงานของสำนักสื่อสารองค์กร", "COMM operating expenses", Operating, 1100, 1),
    p!("COMM", "02", "ผลิตสื่อประชาสัมพันธ์และอินโฟกราฟิก", "Public media and infographics", Operating, 3300, 2),
    p!("COMM", "03", "เผยแพร่แผนการใช้จ่ายงบประมาณแก่บุคลากร", "Publishing the spending plan to staff", Operating, 600, 1),
    p!("COMM", "04", "จัดหาอุปกรณ์ผลิตสื่อ", "Media production equipment", Investment, 1800, 1),
    p!("RES", "01", "ค่าใช้จ่ายในการดำเนินงานของสำนักวิชาการ", "RES operating expenses", Operating, 1000, 1),
    p!("RES", "02", "วิจัยสถานการณ์สิทธิมนุษยชนประจำปี", "Annual human rights situation research", Operating, 3000, 2),
    p!("RES", "03", "เวทีเผยแพร่ผลการวิจัยออนไลน์", "Online research dissemination forums", Operating, 900, 2),
    p!("RES", "04", "เงินอุดหนุนทุนวิจัยแก่สถาบันการศึกษา", "Research grants to universities", Subsidy, 2400, 2),
    p!("SOUTH", "01", "ค่าใช้จ่ายในการดำเนินงานของศูนย์ภาคใต้", "SOUTH operating expenses", Operating, 1600, 1),
    p!(
        "SOUTH",
        "02",
        "คุ้มครองสิทธิมนุษยชนในจังหวัดชายแดนภาคใต้",
        "Protection in the southern border provinces",
        Operating,
        3500,
        2
    ),
    p!("SOUTH", "03", "ปรับปรุงอาคารสำนักงานศูนย์ภาคใต้", "Renovation of the southern office", Investment, 4200, 1),
    p!("SOUTH", "04", "อบรมอาสาสมัครสิทธิมนุษยชน", "Training human rights volunteers", Operating, 1300, 2),
    p!("AUDIT", "01", "ค่าใช้จ่ายในการดำเนินงานของหน่วยตรวจสอบภายใน", "AUDIT operating expenses", Operating, 500, 1),
    p!("AUDIT", "02", "ตรวจสอบการเงินและการพัสดุ", "Financial and procurement audits", Operating, 700, 1),
    p!("AUDIT", "03", "ประเมินการควบคุมภายใน", "Internal control assessment", Operating, 400, 1),
    p!("AUDIT", "04", "ตรวจสอบระบบสารสนเทศ", "Information systems audit", Other, 300, 1),
];

/// Monthly plan profile, % of the allocation in each fiscal month (sums to 100):
/// salaries are flat, operating spending is slow in the first quarter with a
/// year-end rush, investment follows contract milestones, grants go in tranches,
/// memberships are paid once or twice a year.
pub fn plan_profile(category: Category) -> [u32; 12] {
    match category {
        Category::Personnel => [8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9],
        Category::Operating => [4, 6, 7, 8, 8, 9, 9, 9, 9, 10, 10, 11],
        Category::Investment => [2, 3, 5, 5, 6, 8, 8, 10, 10, 12, 14, 17],
        Category::Subsidy => [20, 0, 5, 20, 0, 5, 20, 0, 5, 20, 0, 5],
        Category::Other => [50, 0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 20],
    }
}

/// An investment planned to be contracted in the first month (the current year's
/// lagging bureau signs its cloud contract late).
pub const FRONT_LOADED: [u32; 12] = [30, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 10];

pub struct Narrative {
    pub obstacles: &'static str,
    pub limitations: &'static str,
    pub suggestions: &'static str,
}

pub const NARRATIVES: [Narrative; 4] = [
    Narrative {
        obstacles: "การจัดซื้อจัดจ้างล่าช้า เนื่องจากผู้เสนอราคาไม่ผ่านคุณสมบัติ ต้องยกเลิกและประกาศประกวดราคาใหม่",
        limitations: "ระยะเวลาตามระเบียบพัสดุไม่น้อยกว่า 45 วัน และบุคลากรด้านพัสดุมีจำนวนจำกัด",
        suggestions: "เร่งจัดทำร่างขอบเขตงาน (TOR) ให้แล้วเสร็จภายในเดือนถัดไป และลงนามสัญญาภายในไตรมาส",
    },
    Narrative {
        obstacles: "เลื่อนการจัดประชุมและลงพื้นที่ตามภารกิจของ กสม. ทำให้เบิกจ่ายไม่เป็นไปตามแผน",
        limitations: "กำหนดการขึ้นอยู่กับหน่วยงานภาคีและสถานการณ์ในพื้นที่",
        suggestions: "ปรับแผนการจัดกิจกรรมให้รวมในไตรมาสถัดไป และขออนุมัติโอนเปลี่ยนแปลงงบประมาณส่วนที่คาดว่าจะเหลือจ่าย",
    },
    Narrative {
        obstacles: "ผู้รับจ้างส่งมอบงานงวดแรกล่าช้ากว่าสัญญา จึงยังไม่สามารถตรวจรับและเบิกจ่ายได้",
        limitations: "การตรวจรับต้องรอคณะกรรมการตรวจรับพัสดุครบองค์ประชุม",
        suggestions: "เร่งรัดผู้รับจ้างเป็นหนังสือ และกำหนดวันตรวจรับล่วงหน้าให้ชัดเจน",
    },
    Narrative {
        obstacles: "อยู่ระหว่างรอการอนุมัติหลักการโครงการจากผู้บริหาร",
        limitations: "ตำแหน่งว่างในสำนักทำให้ผู้รับผิดชอบโครงการมีภาระงานมาก",
        suggestions: "ขอให้สำนักนโยบายและยุทธศาสตร์ประสานเร่งรัดการพิจารณา และมอบหมายผู้รับผิดชอบสำรอง",
    },
];
