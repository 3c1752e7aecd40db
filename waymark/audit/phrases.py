"""Child-friendly phrases for the access report, per language (en, ar, fr, it).

Written for a guardian to read *with* the child (GDPR Art. 12(1): "clear and plain language,
in particular for any information addressed specifically to a child"), so they say "to help find
you", not "locate_missing_child". Kept here rather than in the gettext catalogues because the
sentences are assembled from pieces whose grammar differs per language (Arabic possessive
suffixes, the "و" that joins every item). The Arabic, French and Italian texts should be
reviewed by native-speaking child-protection staff before real use.

Templates take ``date``, ``who`` (role at organisation), ``org``, ``peer``, ``what`` (the
categories), ``why`` (the purpose phrase, may be empty) and ``under`` (the agreement clause, may
be empty).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrasebook:
    months: tuple[str, ...]
    date: str  # format with day, month, year
    someone: str
    role_at_org: str  # format with role, org
    everything: str  # "your information", when no category is recorded
    under: str  # format with agreement
    roles: dict[str, str]
    categories: dict[str, str]
    purposes: dict[str, str]
    # (allowed, refused) templates per report action
    templates: dict[str, tuple[str, str]]
    list_sep: str
    list_last: str
    # Times: a single entry happened " at {time}"; a group " {times} between {start} and {end}".
    at: str
    between: str
    times: tuple[str, str, str]  # 2, 3 to 10, 11 and more: format with n
    your_guardian: str  # who printed the report, when it was the guardian
    # The child-facing texts around the sentences (page and PDF).
    title: str
    intro: str
    empty: str
    continued: str  # the last line of a printed part when another follows
    subtitle: str  # format with ref, date
    printed_heading: str  # the separate list of when this report itself was printed
    # True until a native speaker (child-protection staff) has reviewed the translation.
    draft: bool = False

    def count(self, n: int) -> str:
        """ "6 times" (n >= 2), in this language's plural form."""
        form = self.times[0] if n == 2 else self.times[1] if n <= 10 else self.times[2]
        return form.format(n=n)

    def join(self, items: list[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return self.list_sep.join(items[:-1]) + self.list_last + items[-1]


EN = Phrasebook(
    months=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    date="{day} {month} {year}",
    someone="someone",
    role_at_org="{role} at {org}",
    everything="your information",
    under=", under the agreement {agreement}",
    roles={
        "guardian": "a guardian",
        "caseworker": "a caseworker",
        "supervisor": "a supervisor",
        "hotline_operator": "a 116 000 hotline operator",
        "police_officer": "a police officer",
        "dublin_officer": "an asylum (Dublin) officer",
        "dpo": "the data protection officer",
        "node_admin": "a system administrator",
    },
    categories={
        "identity": "your identity",
        "physical_description": "your description",
        "photo": "your photo",
        "contact_location": "where you are and how to contact you",
        "family": "information about your family",
        "legal_status": "your legal status",
        "health": "information about your health",
        "psychosocial": "information about how you are feeling",
        "trafficking_indicators": "signs that you may have been exploited",
        "disclosure": "what you told us about what happened to you",
        "case_notes": "the notes in your file",
        "guardian": "information about your guardian",
        "education": "information about your school",
    },
    purposes={
        "child_protection": "to keep you safe",
        "locate_missing_child": "to help find you",
        "family_tracing": "to look for your family",
        "best_interests_assessment": "to work out what is best for you",
        "care_continuity": "to continue your care",
        "trafficking_investigation": "to investigate people who may have exploited you",
        "statistics": "for statistics that do not name you",
        "audit": "to check that your information is handled properly",
        "immigration_enforcement": "for immigration enforcement",
    },
    templates={
        "read": (
            "On {date}, {who} read {what}{times}{why}{under}.",
            "On {date}, {who} asked to read {what}{times}{why}. This was not allowed, so they saw nothing.",
        ),
        "export": (
            "On {date}, {who} downloaded a copy of {what}{times}{why}{under}.",
            "On {date}, {who} asked to download a copy of {what}{times}{why}. This was not allowed.",
        ),
        "emergency": (
            "On {date}, {who} used emergency access to read {what}{times}{why}.",
            "On {date}, {who} asked for emergency access to {what}{times}{why}. This was not allowed.",
        ),
        "sent": (
            "On {date}, {org} sent {what} to {peer}{times}{why}{under}.",
            "On {date}, {org} tried to send {what} to {peer}{times}{why}. This was not allowed.",
        ),
        "received": (
            "On {date}, {org} received {what} from {peer}{times}{why}{under}.",
            "On {date}, {peer} tried to send {what} to {org}{times}{why}. This was not allowed.",
        ),
        "erased": (
            "On {date}, {who} deleted {what}{times}.",
            "On {date}, {who} asked to delete {what}{times}. This was not allowed.",
        ),
        "report": (
            "On {date}, {who} printed this report{times}, to go through it with you.",
            "On {date}, {who} asked to print this report{times}. This was not allowed.",
        ),
    },
    list_sep=", ",
    list_last=" and ",
    at=" at {time}",
    between=" {times} between {start} and {end}",
    times=("twice", "{n} times", "{n} times"),
    your_guardian="your guardian",
    title="Who has seen your information",
    intro=(
        "This list shows each time someone looked at or received your information, when and why. "
        "Read it with your guardian, and ask them about anything you do not understand."
    ),
    empty="Nobody has read or received your information yet.",
    continued="This is one part of the report. The next part is printed separately.",
    subtitle="Case {ref}. Printed {date}.",
    printed_heading="When this report was printed",
)

AR = Phrasebook(
    months=(
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ),
    date="{day} {month} {year}",
    someone="شخص",
    role_at_org="{role} في {org}",
    everything="معلوماتك",
    under="، بموجب الاتفاقية {agreement}",
    roles={
        "guardian": "وصيّ",
        "caseworker": "أخصائي اجتماعي",
        "supervisor": "مشرف",
        "hotline_operator": "موظف في خط المساعدة 116 000",
        "police_officer": "ضابط شرطة",
        "dublin_officer": "موظف في وحدة دبلن للجوء",
        "dpo": "مسؤول حماية البيانات",
        "node_admin": "مسؤول النظام",
    },
    categories={
        "identity": "هويتك",
        "physical_description": "أوصافك",
        "photo": "صورتك",
        "contact_location": "مكان وجودك وطريقة التواصل معك",
        "family": "معلومات عن عائلتك",
        "legal_status": "وضعك القانوني",
        "health": "معلومات عن صحتك",
        "psychosocial": "معلومات عن حالتك النفسية",
        "trafficking_indicators": "علامات على أنك ربما تعرّضت للاستغلال",
        "disclosure": "ما رويته لنا عمّا حدث لك",
        "case_notes": "الملاحظات في ملفك",
        "guardian": "معلومات عن وصيّك",
        "education": "معلومات عن دراستك",
    },
    purposes={
        "child_protection": "لحمايتك",
        "locate_missing_child": "للمساعدة في العثور عليك",
        "family_tracing": "للبحث عن عائلتك",
        "best_interests_assessment": "لتحديد ما هو الأفضل لك",
        "care_continuity": "لمواصلة رعايتك",
        "trafficking_investigation": "للتحقيق مع أشخاص ربما استغلّوك",
        "statistics": "لإحصاءات لا تذكر اسمك",
        "audit": "للتأكد من أن معلوماتك تُعامَل بشكل صحيح",
        "immigration_enforcement": "لأغراض إنفاذ قوانين الهجرة",
    },
    templates={
        "read": (
            "في {date}، اطّلع {who} على {what}{times}{why}{under}.",
            "في {date}، طلب {who} الاطّلاع على {what}{times}{why}. لم يُسمح بذلك، فلم يطّلع على شيء.",
        ),
        "export": (
            "في {date}، نزّل {who} نسخة من {what}{times}{why}{under}.",
            "في {date}، طلب {who} تنزيل نسخة من {what}{times}{why}. لم يُسمح بذلك.",
        ),
        "emergency": (
            "في {date}، استخدم {who} صلاحية الطوارئ للاطّلاع على {what}{times}{why}.",
            "في {date}، طلب {who} صلاحية الطوارئ للاطّلاع على {what}{times}{why}. لم يُسمح بذلك.",
        ),
        "sent": (
            "في {date}، أرسلت منظمة {org} {what} إلى منظمة {peer}{times}{why}{under}.",
            "في {date}، حاولت منظمة {org} إرسال {what} إلى منظمة {peer}{times}{why}. لم يُسمح بذلك.",
        ),
        "received": (
            "في {date}، تلقّت منظمة {org} {what} من منظمة {peer}{times}{why}{under}.",
            "في {date}، حاولت منظمة {peer} إرسال {what} إلى منظمة {org}{times}{why}. لم يُسمح بذلك.",
        ),
        "erased": (
            "في {date}، حذف {who} {what}{times}.",
            "في {date}، طلب {who} حذف {what}{times}. لم يُسمح بذلك.",
        ),
        "report": (
            "في {date}، طبع {who} هذا التقرير{times} ليقرأه معك.",
            "في {date}، طلب {who} طباعة هذا التقرير{times}. لم يُسمح بذلك.",
        ),
    },
    # Arabic joins every item with "و", written against the next word.
    list_sep=" و",
    list_last=" و",
    at=" في الساعة {time}",
    between=" {times} بين الساعة {start} و{end}",
    times=("مرتين", "{n} مرات", "{n} مرة"),
    your_guardian="وصيّك",
    title="من اطّلع على معلوماتك",
    intro=(
        "تبيّن هذه القائمة كل مرة اطّلع فيها أحد على معلوماتك أو تلقّاها، ومتى، ولماذا. "
        "اقرأها مع وصيّك، واسأله عن أي شيء لا تفهمه."
    ),
    empty="لم يطّلع أحد على معلوماتك بعد.",
    continued="هذا جزء من التقرير. الجزء التالي يُطبع على حدة.",
    subtitle="الملف {ref}. طُبع في {date}.",
    printed_heading="متى طُبع هذا التقرير",
)

FR = Phrasebook(
    months=(
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    date="{day} {month} {year}",
    someone="quelqu'un",
    role_at_org="{role} chez {org}",
    everything="tes informations",
    under=", dans le cadre de l'accord {agreement}",
    roles={
        "guardian": "un tuteur",
        "caseworker": "un travailleur social",
        "supervisor": "un responsable",
        "hotline_operator": "un écoutant du 116 000",
        "police_officer": "un policier",
        "dublin_officer": "un agent de l'unité Dublin",
        "dpo": "le délégué à la protection des données",
        "node_admin": "un administrateur du système",
    },
    categories={
        "identity": "ton identité",
        "physical_description": "ta description",
        "photo": "ta photo",
        "contact_location": "l'endroit où tu te trouves et comment te joindre",
        "family": "des informations sur ta famille",
        "legal_status": "ta situation administrative",
        "health": "des informations sur ta santé",
        "psychosocial": "des informations sur la façon dont tu te sens",
        "trafficking_indicators": "des signes que tu as peut-être été exploité",
        "disclosure": "ce que tu nous as raconté sur ce qui t'est arrivé",
        "case_notes": "les notes de ton dossier",
        "guardian": "des informations sur ton tuteur",
        "education": "des informations sur ton école",
    },
    purposes={
        "child_protection": "pour te protéger",
        "locate_missing_child": "pour aider à te retrouver",
        "family_tracing": "pour rechercher ta famille",
        "best_interests_assessment": "pour décider de ce qui est le mieux pour toi",
        "care_continuity": "pour continuer ta prise en charge",
        "trafficking_investigation": "pour enquêter sur des personnes qui t'ont peut-être exploité",
        "statistics": "pour des statistiques qui ne donnent pas ton nom",
        "audit": "pour vérifier que tes informations sont bien traitées",
        "immigration_enforcement": "pour le contrôle de l'immigration",
    },
    templates={
        "read": (
            "Le {date}, {who} a consulté {what}{times}{why}{under}.",
            "Le {date}, {who} a demandé à consulter {what}{times}{why}. Cela n'a pas été permis : rien n'a été vu.",
        ),
        "export": (
            "Le {date}, {who} a téléchargé {what}{times}{why}{under}.",
            "Le {date}, {who} a demandé à télécharger {what}{times}{why}. Cela n'a pas été permis.",
        ),
        "emergency": (
            "Le {date}, {who} a utilisé l'accès d'urgence pour consulter {what}{times}{why}.",
            "Le {date}, {who} a demandé l'accès d'urgence à {what}{times}{why}. Cela n'a pas été permis.",
        ),
        "sent": (
            "Le {date}, {org} a envoyé {what} à {peer}{times}{why}{under}.",
            "Le {date}, {org} a essayé d'envoyer {what} à {peer}{times}{why}. Cela n'a pas été permis.",
        ),
        "received": (
            "Le {date}, {org} a reçu {what} de la part de {peer}{times}{why}{under}.",
            "Le {date}, {peer} a essayé d'envoyer {what} à {org}{times}{why}. Cela n'a pas été permis.",
        ),
        "erased": (
            "Le {date}, {who} a effacé {what}{times}.",
            "Le {date}, {who} a demandé à effacer {what}{times}. Cela n'a pas été permis.",
        ),
        "report": (
            "Le {date}, {who} a imprimé ce rapport{times} pour le lire avec toi.",
            "Le {date}, {who} a demandé à imprimer ce rapport{times}. Cela n'a pas été permis.",
        ),
    },
    list_sep=", ",
    list_last=" et ",
    at=" à {time}",
    between=" {times} entre {start} et {end}",
    times=("deux fois", "{n} fois", "{n} fois"),
    your_guardian="ton tuteur",
    title="Qui a vu tes informations",
    intro=(
        "Cette liste montre chaque fois que quelqu'un a consulté ou reçu tes informations, quand et "
        "pourquoi. Lis-la avec ton tuteur et pose-lui des questions sur ce que tu ne comprends pas."
    ),
    empty="Personne n'a encore lu ni reçu tes informations.",
    continued="Ceci est une partie du rapport. La partie suivante est imprimée à part.",
    subtitle="Dossier {ref}. Imprimé le {date}.",
    printed_heading="Quand ce rapport a été imprimé",
)

IT = Phrasebook(
    months=(
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ),
    date="{day} {month} {year}",
    someone="una persona",
    role_at_org="{role} presso {org}",
    everything="le tue informazioni",
    under=", nell'ambito dell'accordo {agreement}",
    roles={
        "guardian": "un tutore",
        "caseworker": "un operatore sociale",
        "supervisor": "un responsabile",
        "hotline_operator": "un operatore della linea 116 000",
        "police_officer": "un agente di polizia",
        "dublin_officer": "un funzionario dell'unità Dublino",
        "dpo": "il responsabile della protezione dei dati",
        "node_admin": "un amministratore del sistema",
    },
    categories={
        "identity": "la tua identità",
        "physical_description": "la tua descrizione",
        "photo": "la tua foto",
        "contact_location": "dove ti trovi e come contattarti",
        "family": "informazioni sulla tua famiglia",
        "legal_status": "la tua situazione giuridica",
        "health": "informazioni sulla tua salute",
        "psychosocial": "informazioni su come ti senti",
        "trafficking_indicators": "segnali che potresti essere stato sfruttato",
        "disclosure": "quello che ci hai raccontato su ciò che ti è successo",
        "case_notes": "le note del tuo fascicolo",
        "guardian": "informazioni sul tuo tutore",
        "education": "informazioni sulla tua scuola",
    },
    purposes={
        "child_protection": "per proteggerti",
        "locate_missing_child": "per aiutare a ritrovarti",
        "family_tracing": "per cercare la tua famiglia",
        "best_interests_assessment": "per capire che cosa è meglio per te",
        "care_continuity": "per continuare a prendersi cura di te",
        "trafficking_investigation": "per indagare su persone che potrebbero averti sfruttato",
        "statistics": "per statistiche che non riportano il tuo nome",
        "audit": "per controllare che le tue informazioni siano trattate correttamente",
        "immigration_enforcement": "per il controllo dell'immigrazione",
    },
    templates={
        "read": (
            "In data {date}, {who} ha consultato {what}{times}{why}{under}.",
            "In data {date}, {who} ha chiesto di consultare {what}{times}{why}. Non è stato permesso: non ha visto nulla.",
        ),
        "export": (
            "In data {date}, {who} ha scaricato {what}{times}{why}{under}.",
            "In data {date}, {who} ha chiesto di scaricare {what}{times}{why}. Non è stato permesso.",
        ),
        "emergency": (
            "In data {date}, {who} ha usato l'accesso di emergenza per consultare {what}{times}{why}.",
            "In data {date}, {who} ha chiesto l'accesso di emergenza a {what}{times}{why}. Non è stato permesso.",
        ),
        "sent": (
            "In data {date}, {org} ha inviato {what} a {peer}{times}{why}{under}.",
            "In data {date}, {org} ha cercato di inviare {what} a {peer}{times}{why}. Non è stato permesso.",
        ),
        "received": (
            "In data {date}, {org} ha ricevuto {what} da {peer}{times}{why}{under}.",
            "In data {date}, {peer} ha cercato di inviare {what} a {org}{times}{why}. Non è stato permesso.",
        ),
        "erased": (
            "In data {date}, {who} ha cancellato {what}{times}.",
            "In data {date}, {who} ha chiesto di cancellare {what}{times}. Non è stato permesso.",
        ),
        "report": (
            "In data {date}, {who} ha stampato questo rapporto{times} per leggerlo con te.",
            "In data {date}, {who} ha chiesto di stampare questo rapporto{times}. Non è stato permesso.",
        ),
    },
    list_sep=", ",
    list_last=" e ",
    at=" alle {time}",
    between=" {times} tra le {start} e le {end}",
    times=("due volte", "{n} volte", "{n} volte"),
    your_guardian="il tuo tutore",
    title="Chi ha visto le tue informazioni",
    intro=(
        "Questo elenco mostra ogni volta che qualcuno ha consultato o ricevuto le tue informazioni, "
        "quando e perché. Leggilo con il tuo tutore e chiedigli ciò che non capisci."
    ),
    empty="Nessuno ha ancora letto o ricevuto le tue informazioni.",
    continued="Questa è una parte del rapporto. La parte successiva viene stampata a parte.",
    subtitle="Fascicolo {ref}. Stampato il {date}.",
    printed_heading="Quando è stato stampato questo rapporto",
)
