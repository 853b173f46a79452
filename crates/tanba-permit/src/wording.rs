//! Fixed wording of the permit for extraterritorial re-export of controlled goods (R-PER: Order
//! No. 355 of 16.05.2023, seed 003; WORKFLOWS §3): the 16 refusal grounds of List row 9 (Rules
//! app. 1), the intake refusals (cl. 8) and the incompleteness refusal (cl. 12), the bodies of the
//! receipt of refusal to accept documents (Rules app. 2) and of the reasoned refusal (Rules
//! app. 3), the consent of permit field 16 (Rules app. 4), what the guarantee obligation must
//! state (List row 8, item 3) and the service's name. The Kazakh is the text's own, with the PDF
//! extraction's breaks and moved words mended; Russian and English are Tanba's translations.
//! `{name}` marks a placeholder the caller fills.

use tanba_cases::wording::{Ground, Wording};

/// The 16 grounds for refusing the state service, List row 9 (Rules app. 1), numbered as in the
/// text (R-PER-08, WORKFLOWS §3.6). Each is the item's own words, as a sentence: the list's
/// connecting words ("(арқылы) жүзеге асырылады" after items 4, 8 and 12, "бойынша" after item 15,
/// "бойынша мемлекеттік қызметтерді көрсетуден бас тартады" after item 16) and the row label the
/// extraction put inside item 1 are left out.
pub const GROUNDS: [Ground; 16] = [
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
            kk: "Уәкілетті мемлекеттік органның мемлекеттік қызмет көрсету үшін қажетті келісімі \
                 туралы сұрау салуға берілген теріс жауап, сондай-ақ сараптаманың, зерттеудің не \
                 тексерудің теріс қорытындысы.",
            ru: "Отрицательный ответ уполномоченного государственного органа на запрос о \
                 согласовании, необходимом для оказания государственной услуги, а также \
                 отрицательное заключение экспертизы, исследования либо проверки.",
            en: "A negative answer of an authorized state body to a request for its approval \
                 needed to provide the state service, as well as a negative conclusion of an \
                 expert examination, a study or an inspection.",
        },
    },
    Ground {
        number: 4,
        wording: Wording {
            kk: "Өтініш беруші лицензия алу үшін ұсынған құжаттардың және (немесе) оларда \
                 қамтылған деректердің (мәліметтердің) анық еместігі анықталған жағдайларда.",
            ru: "Установление недостоверности документов, представленных заявителем для получения \
                 лицензии, и (или) содержащихся в них данных (сведений).",
            en: "The documents the applicant submitted to obtain a licence and/or the data \
                 (information) contained in them are found to be unreliable.",
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
            kk: "Мемлекет мүдделеріне нұқсан келтіру немесе нұқсан келтіру қатері туындаған \
                 жағдайларда.",
            ru: "Причинение ущерба интересам государства или возникновение угрозы причинения \
                 ущерба.",
            en: "Damage is caused to the interests of the state, or a threat of such damage \
                 arises.",
        },
    },
    Ground {
        number: 7,
        wording: Wording {
            kk: "Қазақстан Республикасының халықаралық міндеттемелерін бұзу.",
            ru: "Нарушение международных обязательств Республики Казахстан.",
            en: "Violation of the international obligations of the Republic of Kazakhstan.",
        },
    },
    Ground {
        number: 8,
        wording: Wording {
            kk: "Тәуекелдерді бағалауды жүзеге асыру кезінде теріс шешім қабылдау.",
            ru: "Принятие отрицательного решения при проведении оценки рисков.",
            en: "A negative decision is taken in the risk assessment.",
        },
    },
    Ground {
        number: 9,
        wording: Wording {
            kk: "Егер рұқсат алуға өтініш берілгенге дейін бір жыл ішінде өтініш берушіге қатысты \
                 Қазақстан Республикасының өзіндік ерекшелігі бар тауарларды бақылау саласындағы \
                 заңнамасын бұзғаны үшін әкімшілік жаза қолданылса.",
            ru: "В течение одного года до подачи заявления на получение разрешения к заявителю \
                 применено административное взыскание за нарушение законодательства Республики \
                 Казахстан в области контроля специфических товаров.",
            en: "Within one year before the application for the permit was filed, an \
                 administrative penalty was imposed on the applicant for violating the \
                 legislation of the Republic of Kazakhstan in the field of export control.",
        },
    },
    Ground {
        number: 10,
        wording: Wording {
            kk: "Егер рұқсат алуға өтініш берілгенге дейін бір жыл ішінде өтініш берушіге қатысты \
                 өзіндік ерекшелігі бар тауарларды бақылау саласында қылмыстық құқық бұзушылық \
                 жасағаны үшін соттың айыптау үкімі шығарылса немесе Қазақстан Республикасының \
                 Қылмыстық-процестік кодексі 35-бабының бірінші бөлігі 3), 4), 9), 10) және 12) \
                 тармақтарының немесе 36-бабының негізінде өтініш беруші қылмыстық теріс қылық \
                 немесе онша ауыр емес және ауырлығы орташа қылмыстар жасағаны үшін қылмыстық \
                 жауаптылықтан босатылса.",
            ru: "В течение одного года до подачи заявления на получение разрешения в отношении \
                 заявителя вынесен обвинительный приговор суда за совершение уголовного \
                 правонарушения в области контроля специфических товаров либо заявитель \
                 освобождён от уголовной ответственности за совершение уголовного проступка или \
                 преступления небольшой или средней тяжести на основании пунктов 3), 4), 9), 10) \
                 и 12) части первой статьи 35 или статьи 36 Уголовно-процессуального кодекса \
                 Республики Казахстан.",
            en: "Within one year before the application for the permit was filed, a court \
                 convicted the applicant of a criminal offence in the field of export control, or \
                 the applicant was released from criminal liability for a criminal misdemeanour \
                 or a crime of minor or medium gravity under items 3), 4), 9), 10) and 12) of \
                 part one of Article 35 or under Article 36 of the Criminal Procedure Code of the \
                 Republic of Kazakhstan.",
        },
    },
    Ground {
        number: 11,
        wording: Wording {
            kk: "Егер өтініш берушіге соңғы бес жыл ішінде Біріккен Ұлттар Ұйымы Қауіпсіздік \
                 Кеңесінің санкциялары қолданылса.",
            ru: "В течение последних пяти лет к заявителю применялись санкции Совета Безопасности \
                 Организации Объединённых Наций.",
            en: "Sanctions of the United Nations Security Council were applied to the applicant \
                 within the last five years.",
        },
    },
    Ground {
        number: 12,
        wording: Wording {
            kk: "Егер өтініш беруші соңғы бес жыл ішінде Біріккен Ұлттар Ұйымы Қауіпсіздік \
                 Кеңесінің санкцияларын бұзса.",
            ru: "В течение последних пяти лет заявитель нарушал санкции Совета Безопасности \
                 Организации Объединённых Наций.",
            en: "The applicant violated sanctions of the United Nations Security Council within \
                 the last five years.",
        },
    },
    Ground {
        number: 13,
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
        number: 14,
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
        number: 15,
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
        number: 16,
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

/// State Corporation intake refusal: the set of documents is incomplete (cl. 8 para 2, R-PER-03);
/// the missing documents are listed in the receipt (`INTAKE_RECEIPT_BODY`).
pub const INTAKE_INCOMPLETE: Wording = Wording {
    kk: "Көрсетілетін қызметті алушы мемлекеттік қызмет көрсетуге қойылатын негізгі талаптардың \
         тізбесіне сәйкес құжаттардың толық топтамасын ұсынбады; өтінішті қабылдаудан бас \
         тартылды (Қағидалардың 8-тармағы).",
    ru: "Услугополучатель не представил полный пакет документов согласно перечню основных \
         требований к оказанию государственной услуги; в приёме заявления отказано (пункт 8 \
         Правил).",
    en: "The service recipient did not submit the complete set of documents under the List of \
         basic requirements for providing the state service; acceptance of the application is \
         refused (clause 8 of the Rules).",
};

/// State Corporation intake refusal: a submitted document's validity has expired (cl. 8 para 2,
/// R-PER-03, A-PER-10); the refusal names the document.
pub const INTAKE_EXPIRED: Wording = Wording {
    kk: "Көрсетілетін қызметті алушы қолданылу мерзімі өткен құжатты ұсынды; өтінішті қабылдаудан \
         бас тартылды (Қағидалардың 8-тармағы).",
    ru: "Услугополучатель представил документ с истёкшим сроком действия; в приёме заявления \
         отказано (пункт 8 Правил).",
    en: "The service recipient submitted a document whose validity has expired; acceptance of the \
         application is refused (clause 8 of the Rules).",
};

/// Reasoned refusal of further consideration of the application: the documents are incomplete (cl.
/// 12, R-PER-04, read as "incompleteness" under A-PER-1).
pub const INCOMPLETE: Wording = Wording {
    kk: "Ұсынылған құжаттар толық емес: мемлекеттік қызмет көрсетуге қойылатын негізгі \
         талаптардың тізбесіне сәйкес құжаттардың толық топтамасы ұсынылмаған. Осыған байланысты \
         өтінішті одан әрі қараудан бас тартылды (Қағидалардың 12-тармағы).",
    ru: "Представленные документы неполные: не представлен полный пакет документов согласно \
         перечню основных требований к оказанию государственной услуги. В связи с этим в \
         дальнейшем рассмотрении заявления отказано (пункт 12 Правил).",
    en: "The documents submitted are incomplete: the complete set of documents under the List of \
         basic requirements for providing the state service was not submitted. Further \
         consideration of the application is therefore refused (clause 12 of the Rules).",
};

/// Body of the receipt of refusal to accept documents (Rules app. 2, WORKFLOWS §3.5 F3), with the
/// words the extraction moved put back. `{provider}` is the State Corporation office that refuses
/// (department No., branch and address, as the form's blanks ask); `{service}` is the service's
/// name. It ends with the words introducing the numbered list of missing documents.
pub const INTAKE_RECEIPT_BODY: Wording = Wording {
    kk: "«Мемлекеттік көрсетілетін қызметтер туралы» Қазақстан Республикасы Заңының 20-бабының \
         2-тармағын басшылыққа ала отырып, {provider} Сіз мемлекеттік қызметтің заңға тәуелді \
         нормативтік құқықтық актісімен көзделген тізбеге сәйкес құжаттардың толық топтамасын \
         ұсынбағаныңызға байланысты «{service}» мемлекеттік қызметін көрсетуге құжаттарды \
         қабылдаудан бас тартады, атап айтқанда:",
    ru: "Руководствуясь пунктом 2 статьи 20 Закона Республики Казахстан «О государственных \
         услугах», {provider} отказывает в приёме документов на оказание государственной услуги \
         «{service}» ввиду представления Вами неполного пакета документов согласно перечню, \
         предусмотренному подзаконным нормативным правовым актом государственной услуги, а \
         именно:",
    en: "Under paragraph 2 of Article 20 of the Law of the Republic of Kazakhstan “On State \
         Services”, {provider} refuses to accept the documents for the state service “{service}” \
         because you did not submit the complete set of documents under the list provided by the \
         by-law on the state service, namely:",
};

/// Body of the reasoned refusal (Rules app. 3, WORKFLOWS §3.5 F4), used for the refusal of further
/// consideration (cl. 12) and of the service (cl. 15): `{provider}` is the provider's full name,
/// `{application}` the application's incoming number, `{date}` its date, `{grounds}` the grounds
/// for the refusal.
pub const REASONED_REFUSAL_BODY: Wording = Wording {
    kk: "{provider}, Сіздің {date} жылғы № {application} өтінішіңізді қарап, мынаны хабарлайды:\n\
         {grounds}",
    ru: "{provider}, рассмотрев Ваше заявление № {application} от {date}, сообщает следующее:\n\
         {grounds}",
    en: "{provider}, having considered your application No. {application} of {date}, informs you \
         of the following:\n\
         {grounds}",
};

/// Permit field 16 (Rules app. 4): consent to the collection and processing of personal data and
/// to the use of information constituting secrets protected by law (fixed text).
pub const CONSENT: Wording = Wording {
    kk: "«Дербес деректер және оларды қорғау туралы» Қазақстан Республикасының Заңына сәйкес \
         менің дербес деректерімді жинауға және өңдеуге, ақпараттық жүйелердегі заңмен қорғалатын \
         құпияны құрайтын мәліметтерді пайдалануға келісім беремін.",
    ru: "В соответствии с Законом Республики Казахстан «О персональных данных и их защите» даю \
         согласие на сбор и обработку моих персональных данных, на использование сведений, \
         составляющих охраняемую законом тайну, содержащихся в информационных системах.",
    en: "Under the Law of the Republic of Kazakhstan “On Personal Data and Their Protection”, I \
         consent to the collection and processing of my personal data and to the use of \
         information constituting secrets protected by law in information systems.",
};

/// What the importing country's guarantee obligation must state: List row 8, item 3, in the State
/// Corporation variant ("without the consent", A-PER-9; the portal variant is garbled).
pub const GUARANTEE_CONTENT: Wording = Wording {
    kk: "Импорттаушы елдің алушы елдің құзыретті органы берген импортталатын өзіндік ерекшелігі \
         бар тауарды мәлімделген мақсаттарда пайдалану және оның өзіндік ерекшелігі бар \
         тауарларды бақылау саласындағы Қазақстан Республикасының уәкілетті мемлекеттік органының \
         келісімінсіз үшінші елдерге оның эксаумақтық кері экспортына жол бермеу туралы кепілдік \
         міндеттемесі.",
    ru: "Гарантийное обязательство страны-импортёра, выданное компетентным органом \
         страны-получателя, об использовании импортируемого специфического товара в заявленных \
         целях и о недопущении его экстерриториального реэкспорта в третьи страны без согласия \
         уполномоченного государственного органа Республики Казахстан в области контроля \
         специфических товаров.",
    en: "The importing country's guarantee obligation, issued by the competent authority of the \
         recipient country, to use the imported controlled goods for the declared purposes and \
         not to allow their extraterritorial re-export to third countries without the consent of \
         the authorized state body of the Republic of Kazakhstan for export control.",
};

/// The state service's name, as in the title of the List (Rules app. 1) and cl. 1.
pub const SERVICE_NAME: Wording = Wording {
    kk: "Өзіндік ерекшелігі бар тауарлардың эксаумақтық кері экспортына рұқсат беру",
    ru: "Выдача разрешения на экстерриториальный реэкспорт специфических товаров",
    en: "Issuing a permit for extraterritorial re-export of controlled goods",
};
