//! Fixed wording of the end-user certificate and the international import certificate (R-CER:
//! Order No. 309 of 28.04.2023 as amended by Order No. 4 of 09.01.2026, seed 004; WORKFLOWS §4):
//! the 9 refusal grounds of List row 9 (Rules app. 1), the incompleteness refusal (cl. 11), the
//! body of the reasoned refusal (Rules app. 2), the declarations and the accuracy confirmation of
//! the application (List app. 1), the undertaking of the guarantee obligation (List app. 2), the
//! confirmations printed on the two certificates (Rules app. 4), the hearing notice (cl. 13), the
//! complaint-extension notice and its reasons (cl. 17) and the service's name. The Kazakh is the
//! text's own, with the PDF extraction's breaks and moved words mended; Russian and English are
//! Tanba's translations. `{name}` marks a placeholder the caller fills.

use tanba_cases::wording::{Ground, Wording};

/// The 9 grounds for refusing the state service, List row 9 (Rules app. 1), numbered as in the
/// text (R-CER-11, WORKFLOWS §4.6). Each is the item's own words, as a sentence: the list's
/// connecting words ("бойынша" after item 8, "бойынша мемлекеттік қызметтерді көрсетуден бас
/// тартады" after item 9) are left out. A refusal on any of them follows the hearing of cl. 13.
pub const GROUNDS: [Ground; 9] = [
    Ground {
        number: 1,
        wording: Wording {
            kk: "Қазақстан Республикасының заңдарында жеке немесе заңды тұлғалардың осы санаты \
                 үшін қызмет түрімен айналысуға тыйым салынуы.",
            ru: "Запрещение законами Республики Казахстан занятия видом деятельности для данной \
                 категории физических или юридических лиц.",
            en: "The laws of the Republic of Kazakhstan prohibit this category of natural or \
                 legal persons from engaging in the type of activity.",
        },
    },
    Ground {
        number: 2,
        wording: Wording {
            kk: "Көрсетілетін қызметті алушы біліктілік талаптарына сәйкес келмесе.",
            ru: "Услугополучатель не соответствует квалификационным требованиям.",
            en: "The service recipient does not meet the qualification requirements.",
        },
    },
    Ground {
        number: 3,
        wording: Wording {
            kk: "Көрсетілетін қызметті беруші тиісті келісуші мемлекеттік органнан көрсетілетін \
                 қызметті алушының лицензиялау кезінде қойылатын талаптарға сәйкес келмейтіні \
                 туралы жауап алса.",
            ru: "Услугодатель получил от соответствующего согласующего государственного органа \
                 ответ о несоответствии услугополучателя требованиям, предъявляемым при \
                 лицензировании.",
            en: "The service provider has received from the relevant agreeing state body an \
                 answer that the service recipient does not meet the requirements imposed at \
                 licensing.",
        },
    },
    Ground {
        number: 4,
        wording: Wording {
            kk: "Көрсетілетін қызметті алушының мемлекеттік көрсетілетін қызметті алу үшін \
                 ұсынған құжаттардың және (немесе) олардағы деректердің (мәліметтердің) анық \
                 еместігін анықтау.",
            ru: "Установление недостоверности документов, представленных услугополучателем для \
                 получения государственной услуги, и (или) данных (сведений), содержащихся в них.",
            en: "The documents the service recipient submitted to receive the state service \
                 and/or the data (information) in them are found to be unreliable.",
        },
    },
    Ground {
        number: 5,
        wording: Wording {
            kk: "Көрсетілетін қызметті алушының және (немесе) мемлекеттік қызмет көрсету үшін \
                 қажетті ұсынылған материалдардың, объектілердің, деректердің және мәліметтердің \
                 Қазақстан Республикасының нормативтік құқықтық актілерінде белгіленген \
                 талаптарға сәйкес келмеуі.",
            ru: "Несоответствие услугополучателя и (или) представленных материалов, объектов, \
                 данных и сведений, необходимых для оказания государственной услуги, требованиям, \
                 установленным нормативными правовыми актами Республики Казахстан.",
            en: "The service recipient and/or the materials, objects, data and information \
                 submitted that are needed to provide the state service do not meet the \
                 requirements established by the normative legal acts of the Republic of \
                 Kazakhstan.",
        },
    },
    Ground {
        number: 6,
        wording: Wording {
            kk: "Өтініш берушіге қатысты лицензиялауға жататын қызметті немесе жекелеген қызмет \
                 түрлерін тоқтата тұру немесе оларға тыйым салу туралы заңды күшіне енген сот \
                 шешімі (үкімі) болған.",
            ru: "В отношении заявителя имеется вступившее в законную силу решение (приговор) суда \
                 о приостановлении или запрещении деятельности или отдельных видов деятельности, \
                 подлежащих лицензированию.",
            en: "There is a court decision (verdict) in force against the applicant suspending or \
                 prohibiting the activity subject to licensing or certain types of that activity.",
        },
    },
    Ground {
        number: 7,
        wording: Wording {
            kk: "Сот орындаушысының ұсынуы негізінде сот өтініш беруші-борышкерге лицензия беруге \
                 уақытша тыйым салған.",
            ru: "Судом на основании представления судебного исполнителя временно запрещено \
                 выдавать лицензию заявителю-должнику.",
            en: "On a bailiff's submission, a court has temporarily prohibited issuing a licence \
                 to the applicant-debtor.",
        },
    },
    Ground {
        number: 8,
        wording: Wording {
            kk: "Көрсетілетін қызметті алушыға қатысты соттың заңды күшіне енген үкімінің болуы, \
                 оның негізінде көрсетілетін қызметті алушының мемлекеттік көрсетілетін қызметті \
                 алумен байланысты арнаулы құқығынан айырылуы.",
            ru: "Наличие в отношении услугополучателя вступившего в законную силу приговора суда, \
                 на основании которого услугополучатель лишён специального права, связанного с \
                 получением государственной услуги.",
            en: "There is a court verdict in force against the service recipient under which the \
                 service recipient has been deprived of a special right related to receiving the \
                 state service.",
        },
    },
    Ground {
        number: 9,
        wording: Wording {
            kk: "Көрсетілетін қызметті алушының мемлекеттік қызмет көрсету үшін талап етілетін, \
                 «Дербес деректер және оларды қорғау туралы» Қазақстан Республикасы Заңының \
                 8-бабына сәйкес берілетін қолжетімділігі шектеулі дербес деректерге қол \
                 жеткізуге келісімі болмауы.",
            ru: "Отсутствие согласия услугополучателя, предоставляемого в соответствии со \
                 статьёй 8 Закона Республики Казахстан «О персональных данных и их защите», на \
                 доступ к персональным данным ограниченного доступа, которые требуются для \
                 оказания государственной услуги.",
            en: "The service recipient has not given consent, under Article 8 of the Law of the \
                 Republic of Kazakhstan “On Personal Data and Their Protection”, to access to \
                 restricted personal data required to provide the state service.",
        },
    },
];

/// Reasoned refusal of further consideration of the documents: the documents are incomplete (cl.
/// 11, R-CER-06, read as "incompleteness" under A-CER-1). No hearing precedes it.
pub const INCOMPLETE: Wording = Wording {
    kk: "Ұсынылған құжаттар толық емес: мемлекеттік қызмет көрсетуге қойылатын негізгі талаптар \
         тізбесіне сәйкес құжаттардың толық топтамасы ұсынылмаған. Осыған байланысты құжаттарды \
         одан әрі қараудан бас тартылды (Қағидалардың 11-тармағы).",
    ru: "Представленные документы неполные: не представлен полный пакет документов согласно \
         перечню основных требований к оказанию государственной услуги. В связи с этим в \
         дальнейшем рассмотрении документов отказано (пункт 11 Правил).",
    en: "The documents submitted are incomplete: the complete set of documents under the List of \
         basic requirements for providing the state service was not submitted. Further \
         consideration of the documents is therefore refused (clause 11 of the Rules).",
};

/// Body of the reasoned refusal (Rules app. 2 as reworded 09.01.2026, WORKFLOWS §4.5 F4), used for
/// the refusal of further consideration (cl. 11) and of the service (cl. 13): `{provider}` is the
/// provider's full name, `{year}` the application's year, `{application}` its incoming number,
/// `{grounds}` the grounds for the refusal.
pub const REASONED_REFUSAL_BODY: Wording = Wording {
    kk: "{provider} Сіздің {year} жылғы № {application} өтінішіңізді қарағаннан кейін мынаны \
         хабарлайды:\n\
         {grounds}",
    ru: "{provider}, рассмотрев Ваше заявление {year} года № {application}, сообщает следующее:\n\
         {grounds}",
    en: "{provider}, having considered your application No. {application} of {year}, informs you \
         of the following:\n\
         {grounds}",
};

/// The three declarations printed on the application, forms 1 and 2 of List app. 1 (R-CER-24):
/// consent to the use of legally protected secrets (read as "gives" consent, A-CER-9; the text
/// says "алады"), no court ban in force, the documents true and valid.
pub const DECLARATIONS: [Wording; 3] = [
    Wording {
        kk: "Көрсетілетін қызметті алушы ақпараттық жүйелерде қамтылған заңмен қорғалатын құпияны \
             құрайтын мәліметтерді пайдалануға жазбаша келісімін береді.",
        ru: "Услугополучатель даёт письменное согласие на использование сведений, составляющих \
             охраняемую законом тайну, содержащихся в информационных системах.",
        en: "The service recipient gives written consent to the use of information constituting \
             secrets protected by law contained in information systems.",
    },
    Wording {
        kk: "Көрсетілетін қызметті алушыға қатысты қызметті немесе қызметтің жекелеген түрлерін \
             тоқтата тұру немесе оған тыйым салу туралы сот шешімі (үкімі) заңды күшіне енген \
             жоқ.",
        ru: "В отношении услугополучателя нет вступившего в законную силу решения (приговора) \
             суда о приостановлении или запрещении деятельности или отдельных видов деятельности.",
        en: "No court decision (verdict) suspending or prohibiting the service recipient's \
             activity or certain types of its activity has entered into legal force.",
    },
    Wording {
        kk: "Барлық қоса беріліп отырған құжаттар шындыққа сәйкес келеді және жарамды болып \
             табылады.",
        ru: "Все прилагаемые документы соответствуют действительности и являются действительными.",
        en: "All the attached documents are true and valid.",
    },
];

/// The applicant's confirmation that the information is accurate and that it knows its liability
/// for false information, printed on forms 1 and 2 of List app. 1 (R-CER-24).
pub const ACCURACY_CONFIRMATION: Wording = Wording {
    kk: "Осы арқылы ұсынылған ақпараттың дұрыстығын растаймын және Қазақстан Республикасының \
         заңнамасына сәйкес жалған мәліметтерді бергені үшін жауапкершілікке тартылатыным жөнінде \
         хабардармын.",
    ru: "Настоящим подтверждаю достоверность представленной информации и осведомлён об \
         ответственности за представление ложных сведений в соответствии с законодательством \
         Республики Казахстан.",
    en: "I hereby confirm that the information submitted is accurate, and I am aware that I am \
         liable under the legislation of the Republic of Kazakhstan for submitting false \
         information.",
};

/// Field 12 of the importer's (end user's) guarantee obligation (List app. 2 as reworded
/// 09.01.2026), two paragraphs; the columns are the form's (column 5 is the purpose of use,
/// A-CER-2).
pub const GUARANTEE_UNDERTAKING: Wording = Wording {
    kk: "Импорттаушы (түпкілікті пайдаланушы) 6-бағанда көрсетілген өнімді 2-бағанда көрсетілген \
         түпкілікті пайдаланушыға дейін және 4-бағанда көрсетілген өнімді орнату және (немесе) \
         пайдалану орнына дейін импорттауға міндеттенеді.\n\
         Импорттаушы (түпкілікті пайдаланушы) 6-бағанда көрсетілген өнімді 5-бағанда көрсетілген \
         мақсаттарда пайдалануға, оны Қазақстан Республикасының аумағындағы басқа заңды немесе \
         жеке тұлғаға бермеуге және оны Қазақстан Республикасының өзіндік ерекшелігі бар \
         тауарларды бақылау жөніндегі уәкілетті мемлекеттік органының рұқсатынсыз және \
         экспорттаушы елдің өзіндік ерекшелігі бар тауарларды бақылау жөніндегі уәкілетті \
         органының келісімінсіз қайта экспорттамауға міндеттенеді.",
    ru: "Импортёр (конечный пользователь) обязуется импортировать продукцию, указанную в графе 6, \
         до конечного пользователя, указанного в графе 2, и до места установки и (или) \
         использования продукции, указанного в графе 4.\n\
         Импортёр (конечный пользователь) обязуется использовать продукцию, указанную в графе 6, \
         в целях, указанных в графе 5, не передавать её другому юридическому или физическому лицу \
         на территории Республики Казахстан и не реэкспортировать её без разрешения \
         уполномоченного государственного органа Республики Казахстан по контролю специфических \
         товаров и без согласия уполномоченного органа страны-экспортёра по контролю \
         специфических товаров.",
    en: "The importer (end user) undertakes to import the product stated in column 6 to the end \
         user stated in column 2 and to the place of installation and/or use of the product \
         stated in column 4.\n\
         The importer (end user) undertakes to use the product stated in column 6 for the \
         purposes stated in column 5, not to transfer it to another legal or natural person in \
         the territory of the Republic of Kazakhstan, and not to re-export it without the \
         permission of the authorized state body of the Republic of Kazakhstan for export control \
         and without the consent of the exporting country's authorized body for export control.",
};

/// Field 12 of the end-user certificate (Rules app. 4, form 1): the confirmation, and the sentence
/// on presenting the certificate within six months of signing (R-CER-09). The text's "экспорттаушы
/// елдің (немесе) шыққан елдің" is kept; Russian and English read it as "and/or", as in cl. 4 and
/// form 2.
pub const EUC_CONFIRMATION: Wording = Wording {
    kk: "Осы арқылы 6-бағанда көрсетілген өзіндік ерекшелігі бар тауарлардың 5-бағанда \
         көрсетілген мақсаттарда пайдаланылатыны және үшінші елдерге қайта экспортталмайтыны, \
         сондай-ақ үшінші тұлғаларға берілмейтіні, экспорттаушы елдің (немесе) шыққан елдің \
         құзыретті органының және Қазақстан Республикасының уәкілетті органының рұқсатынсыз \
         қолданылмайтыны расталады.\n\
         Осы құжат қол қойылған күннен бастап алты ай ішінде экспорттаушы елдің уәкілетті \
         мемлекеттік органына ұсынылуы тиіс.",
    ru: "Настоящим подтверждается, что специфические товары, указанные в графе 6, будут \
         использоваться в целях, указанных в графе 5, не будут реэкспортированы в третьи страны, \
         а также не будут переданы третьим лицам и не будут использоваться без разрешения \
         компетентного органа страны-экспортёра и (или) страны происхождения и уполномоченного \
         органа Республики Казахстан.\n\
         Настоящий документ должен быть представлен в уполномоченный государственный орган \
         страны-экспортёра в течение шести месяцев со дня подписания.",
    en: "It is hereby confirmed that the controlled goods stated in column 6 will be used for the \
         purposes stated in column 5, will not be re-exported to third countries or transferred \
         to third persons, and will not be used without the permission of the competent authority \
         of the exporting country and/or the country of origin and of the authorized body of the \
         Republic of Kazakhstan.\n\
         This document must be presented to the authorized state body of the exporting country \
         within six months from the date of signing.",
};

/// Field 9 of the international import certificate (Rules app. 4, form 2): the confirmation, and
/// the sentence on presenting the certificate within six months of signing (R-CER-09).
pub const IIC_CONFIRMATION: Wording = Wording {
    kk: "Осымен 3-бағанда көрсетілген өзіндік ерекшелігі бар тауарлардың Қазақстан Республикасына \
         импортталатыны және экспорттаушы елдің және (немесе) шығарылған елдің құзыретті \
         органының және Қазақстан Республикасының уәкілетті органының рұқсатынсыз үшінші елдерге \
         және үшінші тұлғаларға берілмейтіні расталады.\n\
         Осы құжат қол қойылған күннен бастап алты ай ішінде экспорттаушы елдің уәкілетті \
         мемлекеттік органына ұсынылуға тиіс.",
    ru: "Настоящим подтверждается, что специфические товары, указанные в графе 3, импортируются в \
         Республику Казахстан и не будут переданы в третьи страны и третьим лицам без разрешения \
         компетентного органа страны-экспортёра и (или) страны происхождения и уполномоченного \
         органа Республики Казахстан.\n\
         Настоящий документ должен быть представлен в уполномоченный государственный орган \
         страны-экспортёра в течение шести месяцев со дня подписания.",
    en: "It is hereby confirmed that the controlled goods stated in column 3 are imported into \
         the Republic of Kazakhstan and will not be transferred to third countries or third \
         persons without the permission of the competent authority of the exporting country \
         and/or the country of origin and of the authorized body of the Republic of Kazakhstan.\n\
         This document must be presented to the authorized state body of the exporting country \
         within six months from the date of signing.",
};

/// Notice of the preliminary decision to refuse and of the hearing (cl. 13, R-CER-08): `{grounds}`
/// the row-9 grounds found, `{hearing_at}` the hearing's time, `{place}` its place (or method),
/// `{deadline}` the day the term of the service ends.
pub const HEARING_NOTICE: Wording = Wording {
    kk: "Қазақстан Республикасының заңнамасында белгіленген және негізгі талаптар тізбесінде \
         баяндалған мемлекеттік қызмет көрсетуден бас тарту үшін негіздер анықталды:\n\
         {grounds}\n\
         Көрсетілетін қызметті беруші Сізге мемлекеттік қызмет көрсетуден бас тарту туралы алдын \
         ала шешім туралы хабарлайды (Қағидалардың 13-тармағы). Алдын ала шешім бойынша өз \
         ұстанымыңызды тыңдауда білдіре аласыз.\n\
         Тыңдауды өткізу уақыты: {hearing_at}.\n\
         Тыңдауды өткізу орны (тәсілі): {place}.\n\
         Тыңдау нәтижелері бойынша көрсетілетін қызметті беруші түпкілікті пайдаланушының \
         сертификатын және (немесе) халықаралық импорттық сертификатты не мемлекеттік қызмет \
         көрсетуден дәлелді бас тартуды береді. Мемлекеттік қызмет көрсету мерзімінің аяқталатын \
         күні: {deadline}.",
    ru: "Выявлены основания для отказа в оказании государственной услуги, установленные \
         законодательством Республики Казахстан и изложенные в перечне основных требований:\n\
         {grounds}\n\
         Услугодатель уведомляет Вас о предварительном решении об отказе в оказании \
         государственной услуги (пункт 13 Правил). Свою позицию по предварительному решению Вы \
         можете выразить на заслушивании.\n\
         Время проведения заслушивания: {hearing_at}.\n\
         Место (способ) проведения заслушивания: {place}.\n\
         По результатам заслушивания услугодатель выдаёт сертификат конечного пользователя и \
         (или) международный импортный сертификат либо мотивированный отказ в оказании \
         государственной услуги. Срок оказания государственной услуги истекает: {deadline}.",
    en: "Grounds for refusing the state service, established by the legislation of the Republic \
         of Kazakhstan and set out in the List of basic requirements, have been found:\n\
         {grounds}\n\
         The service provider notifies you of its preliminary decision to refuse the state \
         service (clause 13 of the Rules). You may state your position on the preliminary \
         decision at the hearing.\n\
         Time of the hearing: {hearing_at}.\n\
         Place (method) of the hearing: {place}.\n\
         On the results of the hearing, the service provider issues the end-user certificate \
         and/or the international import certificate, or a reasoned refusal of the state service. \
         The term of the state service ends on: {deadline}.",
};

/// Notice that the term for reviewing a complaint is extended (cl. 17, R-CER-10): `{days}` the
/// working days added (at most 10), `{reason}` one of `EXTENSION_REASONS`, `{until}` the new end
/// of the term.
pub const EXTENSION_NOTICE: Wording = Wording {
    kk: "«Мемлекеттік көрсетілетін қызметтер туралы» Қазақстан Республикасы Заңының 25-бабының \
         4-тармағына және Қағидалардың 17-тармағына сәйкес шағымды қарау мерзімі ұзартылды.\n\
         Ұзарту мерзімі (жұмыс күндері): {days}.\n\
         Ұзарту себебі: {reason}\n\
         Шағымды қараудың жаңа мерзімі: {until}.",
    ru: "В соответствии с пунктом 4 статьи 25 Закона Республики Казахстан «О государственных \
         услугах» и пунктом 17 Правил срок рассмотрения жалобы продлён.\n\
         Срок продления (рабочих дней): {days}.\n\
         Причина продления: {reason}\n\
         Новый срок рассмотрения жалобы: {until}.",
    en: "Under paragraph 4 of Article 25 of the Law of the Republic of Kazakhstan “On State \
         Services” and clause 17 of the Rules, the term for reviewing the complaint has been \
         extended.\n\
         Extension (working days): {days}.\n\
         Reason for the extension: {reason}\n\
         New end of the term for reviewing the complaint: {until}.",
};

/// The two reasons of cl. 17 for extending the term for reviewing a complaint, in the text's
/// order: additional study or inspection, or an on-site inspection; obtaining additional
/// information.
pub const EXTENSION_REASONS: [Wording; 2] = [
    Wording {
        kk: "Шағым бойынша қосымша зерделеу немесе тексеру не жергілікті жерге барып тексеру \
             жүргізу.",
        ru: "Проведение дополнительного изучения или проверки по жалобе либо проверки с выездом \
             на место.",
        en: "Carrying out an additional study or inspection of the complaint, or an on-site \
             inspection.",
    },
    Wording {
        kk: "Қосымша ақпарат алу.",
        ru: "Получение дополнительной информации.",
        en: "Obtaining additional information.",
    },
];

/// The state service's name, as in cl. 2 and the title of the List (Rules app. 1).
pub const SERVICE_NAME: Wording = Wording {
    kk: "Түпкілікті пайдаланушысының сертификатын және халықаралық импорттық сертификатын беру",
    ru: "Выдача сертификата конечного пользователя и международного импортного сертификата",
    en: "Issuing the end-user certificate and the international import certificate",
};
