//! Fixed wording of the verification of exporters' registration in the REX system (R-REX: Order
//! No. 358-NK of 25.05.2021 as amended by Order No. 160-NK of 06.04.2026, seed 001; WORKFLOWS §2):
//! the three revocation conditions (cl. 10 para 2), the request to the authorized organization for
//! the registration file (cl. 7, with the term of cl. 8), the application to revoke a registration
//! (cl. 10 para 2) and the verification's name. The text has no forms: the request and the
//! application are Tanba's wording of what the clauses require. The Kazakh quotes the text where
//! it can; Russian and English are Tanba's translations. `{name}` marks a placeholder the caller
//! fills.

use tanba_cases::wording::{Ground, Wording};

/// The three conditions of cl. 10 para 2 on which the authority applies to revoke an exporter's
/// registration in the REX system (R-REX-07), numbered 1..3 in the text's order. The text joins
/// them with "және"; any one suffices (A-REX-2).
pub const REVOCATION_CONDITIONS: [Ground; 3] = [
    Ground {
        number: 1,
        wording: Wording {
            kk: "Экспорттаушы дамушы және ең аз дамыған елдерден шығарылатын тауарларға қатысты \
                 Норвегия Корольдігі, Швейцария Конфедерациясы ұсынатын преференциялардың бас \
                 жүйесінің шарттарына сәйкес келмеген.",
            ru: "Экспортёр не соответствует условиям Генеральной системы преференций, \
                 предоставляемой Королевством Норвегия, Швейцарской Конфедерацией в отношении \
                 товаров, происходящих из развивающихся и наименее развитых стран.",
            en: "The exporter does not meet the conditions of the Generalised System of \
                 Preferences offered by the Kingdom of Norway and the Swiss Confederation for \
                 goods originating in developing and least developed countries.",
        },
    },
    Ground {
        number: 2,
        wording: Wording {
            kk: "Экспорттаушы REX жүйесінде тіркеу кезінде өзіне алған міндеттемелерді \
                 сақтамаған.",
            ru: "Экспортёр не соблюдал обязательства, принятые им на себя при регистрации в \
                 системе REX.",
            en: "The exporter has not kept the obligations it took on at its registration in the \
                 REX system.",
        },
    },
    Ground {
        number: 3,
        wording: Wording {
            kk: "Экспорттаушы өз қызметін тоқтатқан.",
            ru: "Экспортёр прекратил свою деятельность.",
            en: "The exporter has ceased its activity.",
        },
    },
];

/// The authority's request to the authorized organization (NCE "Atameken") for the copy of the
/// exporter's application for a registration number and the copies of the origin documents (cl. 7,
/// R-REX-03; Atameken supplies both, A-REX-3): `{exporter}` names the exporter, `{request}` the
/// importing country's official request (sender, number, date).
pub const DOCUMENTS_REQUEST: Wording = Wording {
    kk: "Экспорттаушы: {exporter}.\n\
         Тауарды әкелу елінің ресми сұрау салуы: {request}.\n\
         Қазақстан Республикасы Сауда және интеграция министрінің 2021 жылғы 25 мамырдағы \
         № 358-НҚ бұйрығымен бекітілген Тауарлардың шығарылған елін растау мақсатында \
         экспорттаушыларды тауарды әкелу елдерінің цифрлық жүйелерінде тіркеудің негізділігін \
         верификациялауды (тексеруді) жүзеге асыру қағидаларының (бұдан әрі – Қағидалар) \
         7-тармағына сәйкес уәкілетті орган уәкілетті ұйымнан мыналарды ұсынуды сұрайды:\n\
         1) Қазақстан Республикасы Сауда және интеграция министрінің 2021 жылғы 31 наурыздағы \
         № 244-НҚ бұйрығымен бекітілген (Нормативтік құқықтық актілерді мемлекеттік тіркеу \
         тізілімінде № 22437 болып тіркелген) тауарлардың шығарылған елін растау мақсатында \
         тауарды әкелу елдерінің цифрлық жүйелерінде экспорттаушыларды тіркеу қағидаларында \
         көзделген экспорттаушының тіркеу нөмірін алуға өтініштің көшірмесін;\n\
         2) экспорттаушыны REX жүйесінде тіркеу үшін негіз болған, Қазақстан Республикасы \
         Премьер-Министрінің Орынбасары – Қазақстан Республикасы Индустрия және жаңа \
         технологиялар министрінің 2014 жылғы 8 шілдедегі № 257 бұйрығымен (Нормативтік құқықтық \
         актілерді мемлекеттік тіркеу тізілімінде № 9665 болып тіркелген) бекітілген тауардың \
         шығарылуын растайтын құжаттар тізбесіне сәйкес құжаттардың көшірмелерін.\n\
         Қағидалардың 8-тармағына сәйкес уәкілетті ұйым сұрау салу келіп түскен күннен бастап 5 \
         (бес) жұмыс күні ішінде сұрау салынған құжаттарды уәкілетті органға жібереді.",
    ru: "Экспортёр: {exporter}.\n\
         Официальный запрос страны ввоза товара: {request}.\n\
         В соответствии с пунктом 7 Правил осуществления верификации (проверки) обоснованности \
         регистрации экспортёров в цифровых системах стран ввоза товаров в целях подтверждения \
         страны происхождения товаров, утверждённых приказом Министра торговли и интеграции \
         Республики Казахстан от 25 мая 2021 года № 358-НҚ (далее – Правила), уполномоченный \
         орган просит уполномоченную организацию представить:\n\
         1) копию заявления экспортёра на получение регистрационного номера, предусмотренного \
         Правилами регистрации экспортёров в цифровых системах стран ввоза товаров в целях \
         подтверждения страны происхождения товаров, утверждёнными приказом Министра торговли и \
         интеграции Республики Казахстан от 31 марта 2021 года № 244-НҚ (зарегистрирован в \
         Реестре государственной регистрации нормативных правовых актов под № 22437);\n\
         2) копии документов, послуживших основанием для регистрации экспортёра в системе REX, в \
         соответствии с перечнем документов, подтверждающих происхождение товара, утверждённым \
         приказом Заместителя Премьер-Министра Республики Казахстан – Министра индустрии и новых \
         технологий Республики Казахстан от 8 июля 2014 года № 257 (зарегистрирован в Реестре \
         государственной регистрации нормативных правовых актов под № 9665).\n\
         В соответствии с пунктом 8 Правил уполномоченная организация в течение 5 (пяти) рабочих \
         дней со дня поступления запроса направляет запрошенные документы в уполномоченный орган.",
    en: "Exporter: {exporter}.\n\
         Official request of the importing country: {request}.\n\
         Under clause 7 of the Rules for verifying (checking) the justification of exporters' \
         registration in the digital systems of importing countries for confirming the country of \
         origin of goods, approved by Order No. 358-NK of the Minister of Trade and Integration \
         of the Republic of Kazakhstan of 25 May 2021 (the Rules), the authorized body asks the \
         authorized organization to submit:\n\
         1) a copy of the exporter's application for a registration number provided for by the \
         Rules for registering exporters in the digital systems of importing countries for \
         confirming the country of origin of goods, approved by Order No. 244-NK of the Minister \
         of Trade and Integration of the Republic of Kazakhstan of 31 March 2021 (registered in \
         the Register of State Registration of Normative Legal Acts under No. 22437);\n\
         2) copies of the documents on which the exporter's registration in the REX system was \
         based, under the list of documents confirming the origin of goods approved by Order \
         No. 257 of the Deputy Prime Minister of the Republic of Kazakhstan – Minister of \
         Industry and New Technologies of the Republic of Kazakhstan of 8 July 2014 (registered \
         in the Register of State Registration of Normative Legal Acts under No. 9665).\n\
         Under clause 8 of the Rules, the authorized organization sends the requested documents \
         to the authorized body within 5 (five) working days from the day the request reaches it.",
};

/// The authority's application to the authorized organization (NCE "Atameken") to revoke the
/// exporter's registration in the REX system (cl. 10 para 2, R-REX-07): `{exporter}` names the
/// exporter, `{conditions}` lists the `REVOCATION_CONDITIONS` found, with their numbers.
pub const REVOCATION_APPLICATION: Wording = Wording {
    kk: "Экспорттаушы: {exporter}.\n\
         Верификация (тексеру) нәтижелері бойынша мыналар анықталды:\n\
         {conditions}\n\
         Қазақстан Республикасы Сауда және интеграция министрінің 2021 жылғы 25 мамырдағы \
         № 358-НҚ бұйрығымен бекітілген Қағидалардың 10-тармағының екінші бөлігіне сәйкес \
         уәкілетті орган уәкілетті ұйымнан экспорттаушының REX жүйесінде тіркелуін кері қайтарып \
         алуды сұрайды.",
    ru: "Экспортёр: {exporter}.\n\
         По результатам верификации (проверки) установлено:\n\
         {conditions}\n\
         В соответствии с частью второй пункта 10 Правил, утверждённых приказом Министра торговли \
         и интеграции Республики Казахстан от 25 мая 2021 года № 358-НҚ, уполномоченный орган \
         просит уполномоченную организацию отозвать регистрацию экспортёра в системе REX.",
    en: "Exporter: {exporter}.\n\
         The verification (check) found:\n\
         {conditions}\n\
         Under clause 10, paragraph 2, of the Rules approved by Order No. 358-NK of the Minister \
         of Trade and Integration of the Republic of Kazakhstan of 25 May 2021, the authorized \
         body asks the authorized organization to revoke the exporter's registration in the REX \
         system.",
};

/// The verification's name, as in the title of the Rules (reworded by Order No. 160-NK of
/// 06.04.2026).
pub const SERVICE_NAME: Wording = Wording {
    kk: "Тауарлардың шығарылған елін растау мақсатында экспорттаушыларды тауарды әкелу елдерінің \
         цифрлық жүйелерінде тіркеудің негізділігін верификациялау (тексеру)",
    ru: "Верификация (проверка) обоснованности регистрации экспортёров в цифровых системах стран \
         ввоза товаров в целях подтверждения страны происхождения товаров",
    en: "Verification (check) of the justification of exporters' registration in the digital \
         systems of importing countries for confirming the country of origin of goods",
};
