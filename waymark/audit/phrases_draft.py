"""DRAFT phrasebooks for the access report in Dari (prs), Pashto (ps) and Tigrinya (ti).

Many children in the demo scenarios speak these, so the report offers them — but these texts were
written without a native speaker and are marked ``draft=True``: the page and the PDF say so until
child-protection staff who speak the language have reviewed them (then set ``draft=False``).
Dari and Pashto address the child with the informal singular, as the Arabic and French texts do;
the Tigrinya text uses the plural of respect, which does not mark the child's gender.
"""

from __future__ import annotations

from waymark.audit.phrases import Phrasebook

_PRS_NOT_ALLOWED = "اجازه داده نشد."
PRS = Phrasebook(
    months=(
        "جنوری",
        "فبروری",
        "مارچ",
        "اپریل",
        "می",
        "جون",
        "جولای",
        "اگست",
        "سپتمبر",
        "اکتوبر",
        "نوامبر",
        "دسمبر",
    ),
    date="{day} {month} {year}",
    someone="کسی",
    role_at_org="{role} در {org}",
    everything="معلومات تو",
    under="، بر اساس موافقت‌نامهٔ {agreement}",
    roles={
        "guardian": "یک سرپرست",
        "caseworker": "یک مددکار اجتماعی",
        "supervisor": "یک ناظر",
        "hotline_operator": "یک کارمند خط کمک 116 000",
        "police_officer": "یک مأمور پولیس",
        "dublin_officer": "یک کارمند بخش پناهندگی (دوبلین)",
        "dpo": "مسئول حفاظت از معلومات",
        "node_admin": "یک مدیر سیستم",
    },
    categories={
        "identity": "هویت تو",
        "physical_description": "مشخصات ظاهری تو",
        "photo": "عکس تو",
        "contact_location": "جایی که هستی و راه تماس با تو",
        "family": "معلومات دربارهٔ خانوادهٔ تو",
        "legal_status": "وضعیت قانونی تو",
        "health": "معلومات دربارهٔ صحت تو",
        "psychosocial": "معلومات دربارهٔ احساسات تو",
        "trafficking_indicators": "نشانه‌هایی که شاید از تو سوءاستفاده شده باشد",
        "disclosure": "چیزهایی که دربارهٔ اتفاقات زندگی‌ات به ما گفتی",
        "case_notes": "یادداشت‌های پروندهٔ تو",
        "guardian": "معلومات دربارهٔ سرپرست تو",
        "education": "معلومات دربارهٔ مکتب تو",
    },
    purposes={
        "child_protection": "برای حفاظت از تو",
        "locate_missing_child": "برای کمک به پیدا کردن تو",
        "family_tracing": "برای جستجوی خانوادهٔ تو",
        "best_interests_assessment": "برای فهمیدن اینکه چه چیزی برای تو بهتر است",
        "care_continuity": "برای ادامهٔ مراقبت از تو",
        "trafficking_investigation": "برای تحقیق دربارهٔ کسانی که شاید از تو سوءاستفاده کرده باشند",
        "statistics": "برای آماری که نام تو را ذکر نمی‌کند",
        "audit": "برای بررسی اینکه با معلومات تو درست رفتار می‌شود",
        "immigration_enforcement": "برای اجرای قوانین مهاجرت",
    },
    templates={
        "read": (
            "در {date}، {who} {what} را{times}{why} دید{under}.",
            "در {date}، {who} خواست {what} را{times}{why} ببیند. اجازه داده نشد، پس چیزی ندید.",
        ),
        "export": (
            "در {date}، {who} یک نسخه از {what}{times}{why} دانلود کرد{under}.",
            "در {date}، {who} خواست یک نسخه از {what}{times}{why} دانلود کند. " + _PRS_NOT_ALLOWED,
        ),
        "emergency": (
            "در {date}، {who} با دسترسی اضطراری {what} را{times}{why} دید.",
            "در {date}، {who} خواست با دسترسی اضطراری {what} را{times}{why} ببیند. " + _PRS_NOT_ALLOWED,
        ),
        "sent": (
            "در {date}، {org} {what} را{times}{why} به {peer} فرستاد{under}.",
            "در {date}، {org} خواست {what} را{times}{why} به {peer} بفرستد. " + _PRS_NOT_ALLOWED,
        ),
        "received": (
            "در {date}، {org} {what} را{times}{why} از {peer} دریافت کرد{under}.",
            "در {date}، {peer} خواست {what} را{times}{why} به {org} بفرستد. " + _PRS_NOT_ALLOWED,
        ),
        "erased": (
            "در {date}، {who} {what} را{times} پاک کرد.",
            "در {date}، {who} خواست {what} را{times} پاک کند. " + _PRS_NOT_ALLOWED,
        ),
        "report": (
            "در {date}، {who} این گزارش را{times} چاپ کرد تا آن را با تو بخواند.",
            "در {date}، {who} خواست این گزارش را{times} چاپ کند. " + _PRS_NOT_ALLOWED,
        ),
    },
    list_sep="، ",
    list_last=" و ",
    at=" ساعت {time}",
    between=" {times} بین ساعت {start} و {end}",
    times=("دو بار", "{n} بار", "{n} بار"),
    your_guardian="سرپرست تو",
    title="چه کسانی معلومات تو را دیده‌اند",
    intro=(
        "این فهرست نشان می‌دهد که هر بار چه کسی معلومات تو را دید یا دریافت کرد، چه وقت و چرا. "
        "آن را با سرپرستت بخوان و هر چیزی را که نفهمیدی از او بپرس."
    ),
    empty="هنوز هیچ کسی معلومات تو را ندیده یا دریافت نکرده است.",
    continued="این بخشی از گزارش است. بخش بعدی جداگانه چاپ می‌شود.",
    subtitle="پروندهٔ {ref}. تاریخ چاپ {date}.",
    printed_heading="این گزارش چه وقت چاپ شد",
    draft=True,
)

_PS_NOT_ALLOWED = "اجازه ورنه کړل شوه."
PS = Phrasebook(
    months=(
        "جنوري",
        "فبروري",
        "مارچ",
        "اپریل",
        "مۍ",
        "جون",
        "جولای",
        "اګست",
        "سپتمبر",
        "اکتوبر",
        "نومبر",
        "ډسمبر",
    ),
    date="{day} {month} {year}",
    someone="یو څوک",
    role_at_org="{role} په {org} کې",
    everything="ستا معلومات",
    under="، د {agreement} تړون له مخې",
    roles={
        "guardian": "یو سرپرست",
        "caseworker": "یو ټولنیز کارکوونکی",
        "supervisor": "یو څارونکی",
        "hotline_operator": "د 116 000 مرستندویې کرښې یو کارکوونکی",
        "police_officer": "یو پولیس افسر",
        "dublin_officer": "د پناه غوښتنې (ډبلن) څانګې یو کارکوونکی",
        "dpo": "د معلوماتو د ساتنې مسؤل",
        "node_admin": "د سیستم یو مدیر",
    },
    categories={
        "identity": "ستا هویت",
        "physical_description": "ستا بڼه",
        "photo": "ستا انځور",
        "contact_location": "چې ته چیرې یې او څنګه له تا سره اړیکه نیول کېږي",
        "family": "ستا د کورنۍ په اړه معلومات",
        "legal_status": "ستا قانوني حالت",
        "health": "ستا د روغتیا په اړه معلومات",
        "psychosocial": "ستا د احساساتو په اړه معلومات",
        "trafficking_indicators": "هغه نښې چې ښايي له تا ناوړه ګټه اخیستل شوې وي",
        "disclosure": "هغه څه چې تا موږ ته د خپلې پېښې په اړه وویل",
        "case_notes": "ستا د دوسیې یادښتونه",
        "guardian": "ستا د سرپرست په اړه معلومات",
        "education": "ستا د ښوونځي په اړه معلومات",
    },
    purposes={
        "child_protection": "ستا د ساتنې لپاره",
        "locate_missing_child": "ستا د موندلو لپاره",
        "family_tracing": "ستا د کورنۍ د لټولو لپاره",
        "best_interests_assessment": "د دې لپاره چې پوه شي څه ستا لپاره ښه دي",
        "care_continuity": "ستا د پاملرنې د دوام لپاره",
        "trafficking_investigation": "د هغو کسانو د پلټنې لپاره چې ښايي له تا یې ناوړه ګټه اخیستې وي",
        "statistics": "د هغو شمېرو لپاره چې ستا نوم نه اخلي",
        "audit": "د دې کتلو لپاره چې ستا معلومات په سمه توګه ساتل کېږي",
        "immigration_enforcement": "د کډوالۍ د قوانینو د پلي کولو لپاره",
    },
    templates={
        "read": (
            "په {date}، {who} {what}{times}{why} ولیدل{under}.",
            "په {date}، {who} وغوښتل چې {what}{times}{why} وویني. اجازه ورنه کړل شوه، نو هیڅ یې ونه لیدل.",
        ),
        "export": (
            "په {date}، {who} د {what} یوه کاپي{times}{why} ښکته کړه{under}.",
            "په {date}، {who} وغوښتل چې د {what} یوه کاپي{times}{why} ښکته کړي. " + _PS_NOT_ALLOWED,
        ),
        "emergency": (
            "په {date}، {who} د بېړني لاسرسي له لارې {what}{times}{why} ولیدل.",
            "په {date}، {who} وغوښتل چې د بېړني لاسرسي له لارې {what}{times}{why} وویني. " + _PS_NOT_ALLOWED,
        ),
        "sent": (
            "په {date}، {org} {what}{times}{why} {peer} ته ولېږل{under}.",
            "په {date}، {org} هڅه وکړه چې {what}{times}{why} {peer} ته ولېږي. " + _PS_NOT_ALLOWED,
        ),
        "received": (
            "په {date}، {org} {what}{times}{why} له {peer} څخه ترلاسه کړل{under}.",
            "په {date}، {peer} هڅه وکړه چې {what}{times}{why} {org} ته ولېږي. " + _PS_NOT_ALLOWED,
        ),
        "erased": (
            "په {date}، {who} {what}{times} پاک کړل.",
            "په {date}، {who} وغوښتل چې {what}{times} پاک کړي. " + _PS_NOT_ALLOWED,
        ),
        "report": (
            "په {date}، {who} دا راپور{times} چاپ کړ، ترڅو یې له تا سره ولولي.",
            "په {date}، {who} وغوښتل چې دا راپور{times} چاپ کړي. " + _PS_NOT_ALLOWED,
        ),
    },
    list_sep="، ",
    list_last=" او ",
    at=" په {time} بجو",
    between=" {times} د {start} او {end} بجو ترمنځ",
    times=("دوه ځله", "{n} ځله", "{n} ځله"),
    your_guardian="ستا سرپرست",
    title="چا ستا معلومات لیدلي دي",
    intro=(
        "دا لېست ښيي چې هر ځل چا ستا معلومات ولیدل یا ترلاسه کړل، کله او ولې. "
        "دا له خپل سرپرست سره ولوله او هر هغه څه چې نه پرې پوهېږې، ترې یې وپوښته."
    ),
    empty="تر اوسه هیچا ستا معلومات نه دي لیدلي او نه یې ترلاسه کړي دي.",
    continued="دا د راپور یوه برخه ده. بله برخه په جلا توګه چاپېږي.",
    subtitle="دوسیه {ref}. د چاپ نېټه {date}.",
    printed_heading="دا راپور کله چاپ شو",
    draft=True,
)

_TI_NOT_ALLOWED = "እዚ ኣይተፈቕደን።"
TI = Phrasebook(
    months=(
        "ጥሪ",
        "ለካቲት",
        "መጋቢት",
        "ሚያዝያ",
        "ግንቦት",
        "ሰነ",
        "ሓምለ",
        "ነሓሰ",
        "መስከረም",
        "ጥቅምቲ",
        "ሕዳር",
        "ታሕሳስ",
    ),
    date="{day} {month} {year}",
    someone="ሓደ ሰብ",
    role_at_org="{role} ካብ {org}",
    everything="ሓበሬታኹም",
    under="፣ ብመሰረት ስምምዕ {agreement}",
    roles={
        "guardian": "ሓደ ሞግዚት",
        "caseworker": "ሓደ ማሕበራዊ ሰራሕተኛ",
        "supervisor": "ሓደ ተቖጻጻሪ",
        "hotline_operator": "ሓደ ሰራሕተኛ መስመር ሓገዝ 116 000",
        "police_officer": "ሓደ ፖሊስ",
        "dublin_officer": "ሓደ ሰራሕተኛ ክፍሊ ዑቕባ (ደብሊን)",
        "dpo": "ሓላፊ ሓለዋ ሓበሬታ",
        "node_admin": "ሓደ ኣመሓዳሪ ስርዓት",
    },
    categories={
        "identity": "መንነትኩም",
        "physical_description": "መግለጺ ኣካላትኩም",
        "photo": "ስእልኹም",
        "contact_location": "ኣበይ ከም ዘለኹምን ብኸመይ ክትርከቡ ከም እትኽእሉን",
        "family": "ብዛዕባ ስድራኹም ሓበሬታ",
        "legal_status": "ሕጋዊ ኩነታትኩም",
        "health": "ብዛዕባ ጥዕናኹም ሓበሬታ",
        "psychosocial": "ብዛዕባ ስምዒታትኩም ሓበሬታ",
        "trafficking_indicators": "ምናልባት ከም ዝተበዝበዝኩም ዘርእዩ ምልክታት",
        "disclosure": "ብዛዕባ ዘጋጠመኩም ዝነገርኩምና",
        "case_notes": "ኣብ ፋይልኩም ዘለዉ መዘኻኸሪታት",
        "guardian": "ብዛዕባ ሞግዚትኩም ሓበሬታ",
        "education": "ብዛዕባ ቤት ትምህርትኹም ሓበሬታ",
    },
    purposes={
        "child_protection": "ንምሕላውኩም",
        "locate_missing_child": "ንምርካብኩም ንምሕጋዝ",
        "family_tracing": "ስድራኹም ንምድላይ",
        "best_interests_assessment": "እቲ ንዓኹም ዝበለጸ እንታይ ምዃኑ ንምፍላጥ",
        "care_continuity": "ክንክንኩም ንምቕጻል",
        "trafficking_investigation": "ምናልባት ዝበዝበዙኹም ሰባት ንምጽናዕ",
        "statistics": "ንስምኩም ዘይጠቅስ ጸብጻብ ቁጽሪ",
        "audit": "ሓበሬታኹም ብግቡእ ይተሓዝ ምህላዉ ንምርግጋጽ",
        "immigration_enforcement": "ንምትግባር ሕጊ ስደት",
    },
    templates={
        "read": (
            "ብ{date}፣ {who} {what}{times}{why} ርእዩ{under}።",
            "ብ{date}፣ {who} {what}{times}{why} ክርኢ ሓቲቱ። እዚ ኣይተፈቕደን፣ ስለዚ ዋላ ሓንቲ ኣይረኣየን።",
        ),
        "export": (
            "ብ{date}፣ {who} ቅዳሕ {what}{times}{why} ኣውሪዱ{under}።",
            "ብ{date}፣ {who} ቅዳሕ {what}{times}{why} ከውርድ ሓቲቱ። " + _TI_NOT_ALLOWED,
        ),
        "emergency": (
            "ብ{date}፣ {who} ብህጹጽ ፍቓድ {what}{times}{why} ርእዩ።",
            "ብ{date}፣ {who} ብህጹጽ ፍቓድ {what}{times}{why} ክርኢ ሓቲቱ። " + _TI_NOT_ALLOWED,
        ),
        "sent": (
            "ብ{date}፣ {org} {what}{times}{why} ናብ {peer} ሰዲዱ{under}።",
            "ብ{date}፣ {org} {what}{times}{why} ናብ {peer} ክሰድድ ፈቲኑ። " + _TI_NOT_ALLOWED,
        ),
        "received": (
            "ብ{date}፣ {org} {what}{times}{why} ካብ {peer} ተቐቢሉ{under}።",
            "ብ{date}፣ {peer} {what}{times}{why} ናብ {org} ክሰድድ ፈቲኑ። " + _TI_NOT_ALLOWED,
        ),
        "erased": (
            "ብ{date}፣ {who} {what}{times} ደምሲሱ።",
            "ብ{date}፣ {who} {what}{times} ክድምስስ ሓቲቱ። " + _TI_NOT_ALLOWED,
        ),
        "report": (
            "ብ{date}፣ {who} ነዚ ጸብጻብ{times} ምሳኹም ንምንባብ ሓቲሙዎ።",
            "ብ{date}፣ {who} ነዚ ጸብጻብ{times} ክሓትም ሓቲቱ። " + _TI_NOT_ALLOWED,
        ),
    },
    list_sep="፣ ",
    list_last=" ከምኡውን ",
    at=" ሰዓት {time}",
    between=" ካብ ሰዓት {start} ክሳብ {end} {times}",
    times=("ክልተ ግዜ", "{n} ግዜ", "{n} ግዜ"),
    your_guardian="ሞግዚትኩም",
    title="ሓበሬታኹም መን ርእዩዎ",
    intro=("እዚ ዝርዝር ሓበሬታኹም መን፣ መዓስን ስለምንታይን ከም ዝረኣዮ ወይ ከም ዝተቐበሎ የርኢ። ምስ ሞግዚትኩም ኣንብቡዎ፣ ዘይተረድኣኩም ድማ ሕተቱዎ።"),
    empty="ክሳብ ሕጂ ሓበሬታኹም ዝረኣየ ወይ ዝተቐበለ የለን።",
    continued="እዚ ሓደ ክፋል ናይቲ ጸብጻብ እዩ። እቲ ዝቕጽል ክፋል በይኑ ይሕተም።",
    subtitle="ፋይል {ref}። ዝተሓትመሉ ዕለት {date}።",
    printed_heading="እዚ ጸብጻብ መዓስ ተሓቲሙ",
    draft=True,
)
