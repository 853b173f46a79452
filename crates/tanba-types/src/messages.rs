//! Error messages in Kazakh, Russian and English, keyed by stable error code (R-IS-19).
//!
//! Libraries name their errors by code (`TANBA-GS1-UNKNOWN-AI`); whoever shows an error to a
//! person looks the code up here in the reader's language. Templates may use `{ai}`,
//! `{position}` (shown counting from 1) and `{detail}`; a missing value renders as `?`. The GS1 linters have more than a hundred codes
//! (`TANBA-GS1-LINT-*`): they share one template that names the GS1 test that failed, since the
//! precise code travels with the message.

use crate::language::Language;

/// An error that can be shown to a person in their language.
pub trait Localized {
    /// The stable error code.
    fn code(&self) -> &'static str;
    /// The AI concerned, for GS1 errors.
    fn ai(&self) -> Option<&str> {
        None
    }
    /// The byte position in the input, where known (0-based; messages show it 1-based).
    fn position(&self) -> Option<usize> {
        None
    }
    /// The particular of this error that the message names: the AIs required, the AI it clashes
    /// with, the length limit.
    fn detail(&self) -> Option<String> {
        None
    }
}

/// One catalogue entry: a code and its text in kk, ru, en.
struct Entry {
    code: &'static str,
    kk: &'static str,
    ru: &'static str,
    en: &'static str,
}

macro_rules! entries {
    ($($code:literal => [$kk:literal, $ru:literal, $en:literal],)*) => {
        &[$(Entry { code: $code, kk: $kk, ru: $ru, en: $en },)*]
    };
}

/// Prefix shared by all GS1 linter codes.
pub const GS1_LINT_CODE_PREFIX: &str = "TANBA-GS1-LINT-";

const LINT_TEMPLATE: Entry = Entry {
    code: GS1_LINT_CODE_PREFIX,
    kk: "({ai}) AI деректері GS1 мазмұн тексерісінен өтпеді ({position}-орында)",
    ru: "Данные AI ({ai}) не прошли проверку содержания GS1 (позиция {position})",
    en: "AI ({ai}) data failed a GS1 content check at position {position}",
};

const CATALOGUE: &[Entry] = entries! {
    "TANBA-GS1-EMPTY" => ["Код бос", "Код пуст", "The code is empty"],
    "TANBA-GS1-INPUT-TOO-LONG" => ["Код тым ұзын", "Код слишком длинный", "The code is too long"],
    "TANBA-GS1-TOO-MANY-ELEMENTS" => ["Кодта элементтер тым көп", "В коде слишком много элементов", "The code has too many elements"],
    "TANBA-GS1-ILLEGAL-CHARACTER" => ["Рұқсат етілмеген таңба ({position}-орында)", "Недопустимый символ (позиция {position})", "Illegal character at position {position}"],
    "TANBA-GS1-MISSING-LEADING-FNC1" => ["Деректер FNC1-ден басталуы керек", "Данные должны начинаться с FNC1", "The data must start with FNC1"],
    "TANBA-GS1-MALFORMED-AI" => ["AI 2-4 цифрдан тұруы керек ({position}-орында)", "AI должен состоять из 2-4 цифр (позиция {position})", "An AI must be 2 to 4 digits (position {position})"],
    "TANBA-GS1-UNKNOWN-AI" => ["Белгісіз AI ({ai}) ({position}-орында)", "Неизвестный AI ({ai}) (позиция {position})", "Unknown AI ({ai}) at position {position}"],
    "TANBA-GS1-UNTERMINATED-AI" => ["AI жақшасы жабылмаған ({position}-орында)", "Скобка AI не закрыта (позиция {position})", "AI bracket not closed at position {position}"],
    "TANBA-GS1-EMPTY-VALUE" => ["({ai}) AI мәні бос", "Пустое значение AI ({ai})", "AI ({ai}) has an empty value"],
    "TANBA-GS1-VALUE-TOO-SHORT" => ["({ai}) AI мәні тым қысқа (кемінде {detail} таңба)", "Значение AI ({ai}) слишком короткое (не менее {detail} символов)", "AI ({ai}) value is too short (at least {detail} characters)"],
    "TANBA-GS1-VALUE-TOO-LONG" => ["({ai}) AI мәні тым ұзын (ең көбі {detail} таңба)", "Значение AI ({ai}) слишком длинное (не более {detail} символов)", "AI ({ai}) value is too long (at most {detail} characters)"],
    "TANBA-GS1-REQUIRED-AI-MISSING" => ["({ai}) AI үшін міндетті AI жоқ (біреуі керек: {detail})", "Для AI ({ai}) не хватает обязательного AI (нужен один из: {detail})", "AI ({ai}) requires another AI that is missing (one of: {detail})"],
    "TANBA-GS1-MUTUALLY-EXCLUSIVE-AIS" => ["({ai}) AI кодта {detail} AI-мен бірге қолданылмайды", "AI ({ai}) нельзя использовать вместе с AI ({detail})", "AI ({ai}) may not appear together with AI ({detail})"],
    "TANBA-GS1-CONFLICTING-REPEAT" => ["({ai}) AI әртүрлі мәнмен қайталанған", "AI ({ai}) повторяется с другим значением", "AI ({ai}) is repeated with a different value"],
    "TANBA-GS1-DIGITAL-SIGNATURE-NEEDS-SERIALISED-KEY" => ["Цифрлық қолтаңба (8030) сериялық кілтті талап етеді", "Цифровая подпись (8030) требует серийного ключа", "A digital signature (8030) needs a serialised key"],
    "TANBA-GS1-UNKNOWN-SYMBOLOGY" => ["Символика идентификаторы белгісіз", "Неизвестный идентификатор символики", "Unknown symbology identifier"],
    "TANBA-GS1-EMPTY-SYMBOL-DATA" => ["Штрихкодта деректер жоқ", "В штрихкоде нет данных", "The barcode carries no data"],
    "TANBA-GS1-BAD-PRIMARY-MESSAGE" => ["EAN/UPC коды қате", "Неверный код EAN/UPC", "Bad EAN/UPC code"],
    "TANBA-GS1-DL-BAD-SCHEME" => ["Сілтеме http:// немесе https:// деп басталуы керек", "Ссылка должна начинаться с http:// или https://", "The link must start with http:// or https://"],
    "TANBA-GS1-DL-BAD-HOST" => ["Сілтемедегі хост атауы қате", "Неверное имя хоста в ссылке", "Bad host name in the link"],
    "TANBA-GS1-DL-NO-PRIMARY-KEY" => ["Сілтемеде GS1 кілті жоқ", "В ссылке нет ключа GS1", "The link holds no GS1 key"],
    "TANBA-GS1-DL-BAD-KEY-QUALIFIERS" => ["Сілтеме жолындағы AI тізбегі кілт пен квалификаторлардың рұқсат етілген тізбегі емес", "AI в пути ссылки не образуют допустимую последовательность ключа и квалификаторов", "The AIs in the link path are not a valid key and qualifier sequence"],
    "TANBA-GS1-DL-EMPTY-PATH-SEGMENT" => ["Сілтеме жолында бос бөлік бар", "В пути ссылки пустой сегмент", "Empty segment in the link path"],
    "TANBA-GS1-DL-NOT-A-DATA-ATTRIBUTE" => ["({ai}) AI сілтеме сұрауында бола алмайды", "AI ({ai}) не может быть параметром запроса ссылки", "AI ({ai}) may not be a link query parameter"],
    "TANBA-GS1-DL-DUPLICATE-AI" => ["({ai}) AI сілтемеде екі рет берілген", "AI ({ai}) указан в ссылке дважды", "AI ({ai}) appears twice in the link"],
    "TANBA-GS1-DL-NOTHING-TO-LINK" => ["Сілтеме құруға GS1 кілті жоқ", "Нет ключа GS1 для построения ссылки", "No GS1 key to build a link from"],
    "TANBA-GS1-LINT-NON-DIGIT-CHARACTER" => ["({ai}) AI-да цифр емес таңба ({position}-орында)", "В AI ({ai}) нецифровой символ (позиция {position})", "AI ({ai}): a non-digit character at position {position}"],
    "TANBA-GS1-LINT-INVALID-CSET82-CHARACTER" => ["({ai}) AI-да GS1 82 жиынында жоқ таңба ({position}-орында)", "В AI ({ai}) символ вне набора GS1 82 (позиция {position})", "AI ({ai}): a character outside GS1 set 82 at position {position}"],
    "TANBA-GS1-LINT-INVALID-CSET39-CHARACTER" => ["({ai}) AI-да GS1 39 жиынында жоқ таңба ({position}-орында)", "В AI ({ai}) символ вне набора GS1 39 (позиция {position})", "AI ({ai}): a character outside GS1 set 39 at position {position}"],
    "TANBA-GS1-LINT-INVALID-CSET64-CHARACTER" => ["({ai}) AI-да base64url емес таңба ({position}-орында)", "В AI ({ai}) символ вне base64url (позиция {position})", "AI ({ai}): a character outside base64url at position {position}"],
    "TANBA-GS1-LINT-INVALID-CSET64-PADDING" => ["({ai}) AI-да base64url толықтыруы қате ({position}-орында)", "В AI ({ai}) неверное дополнение base64url (позиция {position})", "AI ({ai}): bad base64url padding at position {position}"],
    "TANBA-GS1-LINT-INCORRECT-CHECK-DIGIT" => ["({ai}) AI бақылау цифры қате ({position}-орында)", "Неверная контрольная цифра AI ({ai}) (позиция {position})", "AI ({ai}): wrong check digit at position {position}"],
    "TANBA-GS1-LINT-TOO-SHORT-FOR-CHECK-DIGIT" => ["({ai}) AI бақылау цифры үшін тым қысқа", "AI ({ai}) слишком короткий для контрольной цифры", "AI ({ai}) is too short for a check digit"],
    "TANBA-GS1-LINT-ILLEGAL-MONTH" => ["({ai}) AI-дағы ай қате ({position}-орында)", "Неверный месяц в AI ({ai}) (позиция {position})", "AI ({ai}): no such month at position {position}"],
    "TANBA-GS1-LINT-ILLEGAL-DAY" => ["({ai}) AI-дағы күн қате ({position}-орында)", "Неверный день в AI ({ai}) (позиция {position})", "AI ({ai}): no such day in that month at position {position}"],
    "TANBA-GS1-LINT-ILLEGAL-HOUR" => ["({ai}) AI-дағы сағат қате ({position}-орында)", "Неверный час в AI ({ai}) (позиция {position})", "AI ({ai}): no such hour at position {position}"],
    "TANBA-GS1-LINT-ILLEGAL-MINUTE" => ["({ai}) AI-дағы минут қате ({position}-орында)", "Неверная минута в AI ({ai}) (позиция {position})", "AI ({ai}): no such minute at position {position}"],
    "TANBA-GS1-LINT-ILLEGAL-SECOND" => ["({ai}) AI-дағы секунд қате ({position}-орында)", "Неверная секунда в AI ({ai}) (позиция {position})", "AI ({ai}): no such second at position {position}"],
    "TANBA-GS1-LINT-NOT-ISO3166" => ["({ai}) AI-дағы ел коды ISO 3166 бойынша жоқ", "Код страны в AI ({ai}) не по ISO 3166", "AI ({ai}): not an ISO 3166 country code"],
    "TANBA-GS1-LINT-NOT-ISO3166-OR-999" => ["({ai}) AI-дағы ел коды ISO 3166 бойынша жоқ (не 999)", "Код страны в AI ({ai}) не по ISO 3166 (и не 999)", "AI ({ai}): not an ISO 3166 country code or 999"],
    "TANBA-GS1-LINT-NOT-ISO3166-ALPHA2" => ["({ai}) AI-дағы ел коды ISO 3166 alpha-2 бойынша жоқ", "Код страны в AI ({ai}) не по ISO 3166 alpha-2", "AI ({ai}): not an ISO 3166 alpha-2 country code"],
    "TANBA-GS1-LINT-NOT-ISO4217" => ["({ai}) AI-дағы валюта коды ISO 4217 бойынша жоқ", "Код валюты в AI ({ai}) не по ISO 4217", "AI ({ai}): not an ISO 4217 currency code"],
    "TANBA-GS1-LINT-INVALID-PERCENT-SEQUENCE" => ["({ai}) AI-да % тізбегі қате ({position}-орында)", "Неверная %-последовательность в AI ({ai}) (позиция {position})", "AI ({ai}): bad percent sequence at position {position}"],
    "TANBA-GS1-MISSING-GTIN" => ["Кодта GTIN (01) жоқ", "В коде нет GTIN (01)", "The code has no GTIN (01)"],
    "TANBA-GS1-MISSING-SERIAL" => ["Кодта сериялық нөмір (21) жоқ", "В коде нет серийного номера (21)", "The code has no serial number (21)"],
    "TANBA-CODE-NO-TAIL" => ["Кодта криптографиялық бөлік (91/92 не 93) жоқ", "В коде нет криптографической части (91/92 или 93)", "The code has no cryptographic part (91/92 or 93)"],
    "TANBA-CODE-WRONG-STATUS" => ["Код бұл мәртебеде: бұл әрекетке рұқсат жоқ", "Код в этом статусе: операция недопустима", "The code's status does not allow this operation"],
    "TANBA-CODE-BLOCKED" => ["Код бұғатталған: оны сатуға не орнын ауыстыруға болмайды", "Код заблокирован: его нельзя продать или переместить", "The code is blocked: it cannot be sold or moved"],
    "TANBA-CODE-WITHDRAWAL-FINAL" => ["Код айналымнан біржола шығарылған", "Код окончательно выведен из оборота", "The code was withdrawn from circulation for good"],
    "TANBA-CODE-NOT-BLOCKED" => ["Код бұғатталмаған", "Код не заблокирован", "The code is not blocked"],
    "TANBA-CODE-MALFORMED-TAIL" => ["Кодтың криптографиялық бөлігі толық емес не аралас (91 мен 92 бірге, не тек 93 керек)", "Криптографическая часть кода неполна или смешана (нужны 91 и 92 вместе или только 93)", "The code's cryptographic part is partial or mixed (91 and 92 together, or 93 alone)"],
    "TANBA-CODE-SHORT-TAIL-NEEDS-RING" => ["Қысқа криптографиялық бөлікті (93) тек сервер кілттерімен тексеруге болады", "Короткая криптографическая часть (93) проверяется только ключами сервера", "A short cryptographic part (93) can only be checked with the server's keys"],
    "TANBA-KZ-IIN-BIN-FORMAT" => ["ЖСН/БСН 12 цифрдан тұруы керек", "ИИН/БИН должен состоять из 12 цифр", "An IIN/BIN is exactly 12 digits"],
    "TANBA-KZ-IIN-BIN-CHECK-DIGIT" => ["ЖСН/БСН бақылау цифры қате", "Неверная контрольная цифра ИИН/БИН", "The IIN/BIN check digit is wrong"],
    "TANBA-KZ-IIN-BIN-UNASSIGNABLE" => ["Мұндай ЖСН/БСН берілмейді", "Такой ИИН/БИН не может быть присвоен", "Such an IIN/BIN is never assigned"],
    "TANBA-KZ-HS-CODE-FORMAT" => ["ЕАЭО СЭҚ ТН коды 10 цифрдан тұруы керек", "Код ТН ВЭД ЕАЭС должен состоять из 10 цифр", "An EAEU HS code is exactly 10 digits"],
    "TANBA-KZ-HS-CODE-CHAPTER" => ["СЭҚ ТН-да мұндай топ жоқ", "В ТН ВЭД нет такой группы", "No such chapter in the HS nomenclature"],
    "TANBA-CRYPTO-INVALID-GTIN" => ["GTIN қате", "Неверный GTIN", "Invalid GTIN"],
    "TANBA-CRYPTO-INVALID-SERIAL" => ["Сериялық нөмір қате", "Неверный серийный номер", "Invalid serial number"],
    "TANBA-CRYPTO-MALFORMED-KEY-ID" => ["Кілт идентификаторы (91) қате", "Неверный идентификатор ключа (91)", "Malformed key id (91)"],
    "TANBA-CRYPTO-UNKNOWN-KEY-ID" => ["Кілт идентификаторы (91) белгісіз", "Неизвестный идентификатор ключа (91)", "Unknown key id (91)"],
    "TANBA-CRYPTO-KEY-REVOKED" => ["Кілттің күші жойылған", "Ключ отозван", "The key has been revoked"],
    "TANBA-CRYPTO-KEY-NOT-ACTIVE" => ["Кілт белсенді емес", "Ключ не активен", "The key is not active"],
    "TANBA-CRYPTO-REVOKE-ACTIVE-KEY" => ["Белсенді кілттің күшін жоюға болмайды, алдымен оны ауыстырыңыз", "Нельзя отозвать активный ключ, сначала смените его", "Cannot revoke the active key; rotate first"],
    "TANBA-CRYPTO-MALFORMED-SIGNATURE" => ["Қолтаңба (92) пішімі қате", "Неверный формат подписи (92)", "Malformed signature (92)"],
    "TANBA-CRYPTO-BAD-SIGNATURE" => ["Қолтаңба (92) жарамсыз: код жалған болуы мүмкін", "Подпись (92) недействительна: код может быть поддельным", "The signature (92) does not verify: the code may be forged"],
    "TANBA-CRYPTO-MALFORMED-PUBLIC-KEY" => ["Ашық кілт қате", "Неверный открытый ключ", "Malformed public key"],
    "TANBA-CRYPTO-SHORT-TAG-LENGTH" => ["Қысқа тексеру белгісінің ұзындығы қате", "Неверная длина короткого кода проверки", "Wrong short tag length"],
    "TANBA-CRYPTO-MALFORMED-SHORT-TAG" => ["Қысқа тексеру белгісі (93) пішімі қате", "Неверный формат короткого кода проверки (93)", "Malformed short tag (93)"],
    "TANBA-CRYPTO-BAD-SHORT-TAG" => ["Тексеру белгісі (93) жарамсыз: код жалған болуы мүмкін", "Код проверки (93) недействителен: код может быть поддельным", "The short tag (93) does not verify: the code may be forged"],
    "TANBA-CRYPTO-CHAIN-BROKEN" => ["Оқиғалар тізбегі үзілген немесе өзгертілген", "Цепочка событий нарушена или изменена", "The event chain is broken or altered"],
    "TANBA-CRYPTO-SEQUENCE-OVERFLOW" => ["Тізбек нөмірі шектен асты", "Переполнение номера в цепочке", "Chain sequence number overflow"],
    "TANBA-CRYPTO-CHECKPOINT-MISMATCH" => ["Бақылау нүктесі тізбекпен сәйкес келмейді", "Контрольная точка не совпадает с цепочкой", "The checkpoint does not match the chain"],
    "TANBA-CRYPTO-MALFORMED-CHAIN-HASH" => ["Тізбек хэші қате", "Неверный хэш цепочки", "Malformed chain hash"],
    "TANBA-CRYPTO-RING-FULL" => ["Кілттер жиынында орын жоқ", "Связка ключей заполнена", "The key ring is full"],
    "TANBA-CRYPTO-KEY-ID-SPACE-EXHAUSTED" => ["Бос кілт идентификаторы табылмады", "Не найден свободный идентификатор ключа", "No free key id could be found"],
    "TANBA-CRYPTO-INVALID-KEY-RING" => ["Кілттер жиынының файлы қате", "Неверный файл связки ключей", "Invalid key ring file"],
    "TANBA-CRYPTO-INVALID-PUBLIC-KEY-SET" => ["Ашық кілттер жиыны қате", "Неверный набор открытых ключей", "Invalid public key set"],
    "TANBA-CRYPTO-UNSUPPORTED-FORMAT-VERSION" => ["Файл пішімінің нұсқасы қолдау көрсетілмейді", "Версия формата файла не поддерживается", "Unsupported file format version"],
    "TANBA-CRYPTO-KEY-FILE-PERMISSIONS" => ["Кілт файлын басқалар оқи алады: рұқсаттарды 0600 етіңіз", "Файл ключей доступен другим: установите права 0600", "The key file is readable by others: set its mode to 0600"],
    "TANBA-CRYPTO-KEY-FILE-NOT-ACCEPTABLE" => ["Кілт файлын қабылдауға болмайды", "Файл ключей не может быть принят", "The key file is not acceptable"],
    "TANBA-CRYPTO-KEY-FILE-IO" => ["Кілт файлын оқу не жазу қатесі", "Ошибка чтения или записи файла ключей", "Key file read or write error"],
    "TANBA-CRYPTO-MALFORMED-SIGN-IN" => ["Кіру сұрауы не токені пішімі қате", "Неверный формат запроса на вход или токена", "The sign-in challenge or token is malformed"],
    "TANBA-CRYPTO-BAD-SIGN-IN" => ["Кіру сұрауы не токені жарамсыз", "Запрос на вход или токен недействителен", "The sign-in challenge or token is not genuine"],
    "TANBA-CRYPTO-SIGN-IN-EXPIRED" => ["Кіру сұрауының не токенінің мерзімі өтті: қайта кіріңіз", "Срок запроса на вход или токена истёк: войдите снова", "The sign-in challenge or token has expired: sign in again"],
    "TANBA-CRYPTO-CERTIFICATE-MALFORMED" => ["Сертификат не тізбек оқылмайды (X.509 DER емес не тым ұзын)", "Сертификат или цепочка не читается (не X.509 DER или слишком длинная)", "The certificate or chain is not readable X.509 DER, or is too long"],
    "TANBA-CRYPTO-CERTIFICATE-UNTRUSTED" => ["Сертификат сенімді түбірлік куәландырушы орталыққа жетпейді", "Сертификат не восходит к доверенному корневому удостоверяющему центру", "The certificate does not chain up to a trusted root certification centre"],
    "TANBA-CRYPTO-CERTIFICATE-EXPIRED" => ["Сертификаттың (не оны бергеннің) мерзімі өтті", "Срок действия сертификата (или его издателя) истёк", "The certificate (or one of its issuers) has expired"],
    "TANBA-CRYPTO-CERTIFICATE-NOT-YET-VALID" => ["Сертификат (не оны берген) әлі күшіне енбеген", "Сертификат (или его издатель) ещё не действует", "The certificate (or one of its issuers) is not valid yet"],
    "TANBA-CRYPTO-CERTIFICATE-USAGE" => ["Сертификатты бұл мақсатқа қолдануға болмайды (кілт қолданысы не шектеулер)", "Сертификат нельзя использовать для этого (назначение ключа или ограничения)", "The certificate may not be used for this (key usage or constraints)"],
    "TANBA-CRYPTO-CERTIFICATE-ALGORITHM" => ["Сертификат алгоритмі қолданылмайды (RSA 2048+ не ECDSA P-256; ГОСТ әзірге жоқ)", "Алгоритм сертификата не поддерживается (RSA 2048+ или ECDSA P-256; ГОСТ пока нет)", "The certificate's algorithm is not supported (RSA 2048+ or ECDSA P-256; no GOST yet)"],
    "TANBA-CRYPTO-CERTIFICATE-SUBJECT" => ["Сертификат иесінің ЖСН/БСН көрсетілмеген", "В сертификате не указан ИИН/БИН владельца", "The certificate names no IIN or BIN"],
    "TANBA-CRYPTO-CERTIFICATE-REVOKED" => ["Сертификатты куәландырушы орталық кері қайтарып алған", "Сертификат отозван удостоверяющим центром", "The certificate is revoked by its certification centre"],
    "TANBA-CRYPTO-REVOCATION-UNKNOWN" => ["Сертификат берушінің кері қайтарылғандар тізімі белгісіз не ескірген", "Список отозванных сертификатов издателя неизвестен или устарел", "No current revocation list of the certificate's issuer is known"],
    "TANBA-CRYPTO-REVOCATION-LIST-MALFORMED" => ["Кері қайтарылған сертификаттар тізімі оқылмайды", "Список отозванных сертификатов не читается", "The revocation list is not readable"],
    "TANBA-CRYPTO-REVOCATION-LIST-UNTRUSTED" => ["Кері қайтарылған сертификаттар тізіміне белгілі орталық қол қоймаған", "Список отозванных сертификатов не подписан известным центром", "The revocation list is not signed by a known centre"],
    "TANBA-CRYPTO-CMS-MALFORMED" => ["Құжат қолтаңбасы оқылмайды: Ed25519 қолтаңбасы да, сертификатпен жасалған бөлек CMS қолтаңбасы да емес", "Подпись документа не читается: это ни подпись Ed25519, ни отделённая подпись CMS с сертификатом", "The document signature is not readable: neither an Ed25519 signature nor a detached CMS signature with its certificate"],
    "TANBA-CRYPTO-SIGNING-KEY" => ["Қол қою кілті оқылмайды (PKCS#8) не сертификатқа тиесілі емес", "Ключ подписи не читается (PKCS#8) или не принадлежит сертификату", "The signing key is not readable PKCS#8 or does not belong to the certificate"],
    "TANBA-CRYPTO-DOCUMENT-FORMAT" => ["Құжат пішімі қате", "Неверный формат документа", "Malformed document"],
    "TANBA-KEY-GTIN" => ["GTIN қате: бақылау цифры дұрыс 14 цифр керек", "Неверный GTIN: нужно 14 цифр с верной контрольной цифрой", "Not a GTIN: 14 digits with a valid check digit expected"],
    "TANBA-KEY-SERIAL" => ["Сериялық нөмір қате: GS1 CSET 82 жиынынан 1-20 таңба керек", "Неверный серийный номер: нужно 1-20 символов набора GS1 CSET 82", "Not a serial: 1 to 20 characters of GS1 CSET 82 expected"],
    "TANBA-KEY-SSCC" => ["SSCC қате: бақылау цифры дұрыс 18 цифр керек", "Неверный SSCC: нужно 18 цифр с верной контрольной цифрой", "Not an SSCC: 18 digits with a valid check digit expected"],
    "TANBA-KEY-FORMAT" => ["Код кілті қате: (01) GTIN мен (21) сериялық нөмір не (00) SSCC керек", "Неверный ключ кода: нужен (01) GTIN с (21) серийным номером или (00) SSCC", "Not a code key: (01) GTIN with (21) serial, or (00) SSCC expected"],
    "TANBA-DATE-FORMAT" => ["Күн қате: ЖЖЖЖ-АА-КК пішімінде болуы керек", "Неверная дата: нужен формат ГГГГ-ММ-ДД", "Not a date: YYYY-MM-DD expected"],
    "TANBA-ENGINE-STORE" => ["Деректер қоймасының қатесі: операция орындалмады", "Ошибка хранилища: операция не выполнена", "Storage failure: the operation was not applied"],
    "TANBA-ENGINE-CORRUPT" => ["Сақталған деректер бүлінген: операторға хабарлаңыз", "Сохранённые данные повреждены: сообщите оператору", "Stored data is corrupt: tell the operator"],
    "TANBA-ENGINE-UNKNOWN-PARTICIPANT" => ["Қатысушы тіркелмеген ({detail})", "Участник не зарегистрирован ({detail})", "The participant is not registered ({detail})"],
    "TANBA-ENGINE-REGISTRATION-CEASED" => ["Жеке кәсіпкерлер тізілімі бойынша қатысушының тіркелуі тоқтатылған ({detail})", "По реестру индивидуальных предпринимателей регистрация участника прекращена ({detail})", "The register of entrepreneurs says the participant's registration ceased ({detail})"],
    "TANBA-ENGINE-REGISTER-STALE" => ["Тізілім жаңартуы белгілісінен ескі ({detail})", "Обновление реестра старее уже известного ({detail})", "The register refresh is older than the one known ({detail})"],
    "TANBA-ENGINE-PARTICIPANT-SUSPENDED" => ["Қатысушының қызметі тоқтатылған ({detail})", "Деятельность участника приостановлена ({detail})", "The participant is suspended ({detail})"],
    "TANBA-ENGINE-PARTICIPANT-EXISTS" => ["Қатысушы бұрын тіркелген ({detail})", "Участник уже зарегистрирован ({detail})", "The participant is already registered ({detail})"],
    "TANBA-ENGINE-ROLE-REQUIRED" => ["Бұл әрекетке {detail} рөлі керек", "Для этой операции нужна роль {detail}", "This needs the {detail} role"],
    "TANBA-ENGINE-HOLDS-NO-GOODS" => ["Қатысушы тауар ұстамайды ({detail}): өндіруші, импорттаушы, көтерме не бөлшек сатушы рөлі керек", "Участник не владеет товаром ({detail}): нужна роль производителя, импортёра, оптового или розничного продавца", "The participant holds no goods ({detail}): a producer, importer, wholesaler or retailer role is needed"],
    "TANBA-ENGINE-SYSTEM-ONLY" => ["Мұны тек жүйенің өзі орындай алады", "Это может выполнить только сама система", "Only the system itself may do this"],
    "TANBA-ENGINE-COUNTERPARTY-NOT-ELIGIBLE" => ["Контрагент тауар қабылдай алмайды ({detail})", "Контрагент не может принимать товар ({detail})", "The counterparty cannot receive goods ({detail})"],
    "TANBA-ENGINE-UNKNOWN-CATEGORY" => ["Мұндай тауар санаты жоқ ({detail})", "Нет такой товарной категории ({detail})", "No such product category ({detail})"],
    "TANBA-ENGINE-UNKNOWN-PRODUCT" => ["Мұндай GTIN бар тауар тіркелмеген ({detail})", "Товар с таким GTIN не зарегистрирован ({detail})", "No product is registered with this GTIN ({detail})"],
    "TANBA-ENGINE-PRODUCT-EXISTS" => ["Бұл GTIN бұрын тіркелген ({detail})", "Этот GTIN уже зарегистрирован ({detail})", "This GTIN is already registered ({detail})"],
    "TANBA-ENGINE-NOT-YOUR-PRODUCT" => ["Бұл тауар (GTIN {detail}) сіздікі емес", "Этот товар (GTIN {detail}) не ваш", "This product (GTIN {detail}) is not yours"],
    "TANBA-ENGINE-UNKNOWN-CODE" => ["Мұндай код жоқ: {detail}", "Такого кода нет: {detail}", "No such code: {detail}"],
    "TANBA-ENGINE-DUPLICATE-CODE" => ["Код бұрын бар не екі рет көрсетілген: {detail}", "Код уже существует или указан дважды: {detail}", "The code already exists or is listed twice: {detail}"],
    "TANBA-ENGINE-NOT-OWNER" => ["Код сізге тиесілі емес: {detail}", "Код вам не принадлежит: {detail}", "The code is not yours: {detail}"],
    "TANBA-ENGINE-IN-PACKAGE" => ["Код қаптаманың ішінде: қаптамамен жұмыс істеңіз не алдымен оны шығарыңыз ({detail})", "Код находится в упаковке: работайте с упаковкой или сначала извлеките его ({detail})", "The code is inside a package: use the package or take it out first ({detail})"],
    "TANBA-ENGINE-IN-TRANSIT" => ["Код жолда, жөнелту құжаты әлі қабылданбаған ({detail})", "Код в пути, документ отгрузки ещё не принят ({detail})", "The code is in transit under a shipment not yet accepted ({detail})"],
    "TANBA-ENGINE-NOT-A-PACKAGE" => ["Бұл код қаптама емес: {detail}", "Этот код не является упаковкой: {detail}", "This code is not a package: {detail}"],
    "TANBA-ENGINE-LEVEL-MISMATCH" => ["Қаптама деңгейлері сәйкес емес: ішіндегі деңгей сыртқыдан төмен болуы керек ({detail})", "Уровни упаковки не согласованы: вложение должно быть ниже упаковки ({detail})", "Package levels do not fit: the content must be below its package ({detail})"],
    "TANBA-ENGINE-CYCLE" => ["Қаптама өз-өзінің ішіне салынбайды: {detail}", "Упаковка не может содержать саму себя: {detail}", "A package cannot contain itself: {detail}"],
    "TANBA-ENGINE-TOO-DEEP" => ["Қаптамалар тым терең салынған (ең көбі {detail} деңгей)", "Слишком глубокая вложенность упаковок (не более {detail} уровней)", "Packages nest too deep (at most {detail} levels)"],
    "TANBA-ENGINE-NOT-IN-PACKAGE" => ["Код ешбір қаптамада емес: {detail}", "Код не находится в упаковке: {detail}", "The code is not in a package: {detail}"],
    "TANBA-ENGINE-UNKNOWN-ORDER" => ["Мұндай кодтар тапсырысы жоқ ({detail})", "Нет такого заказа кодов ({detail})", "No such code order ({detail})"],
    "TANBA-ENGINE-ORDER-EXCEEDED" => ["Тапсырыстағы кодтар санынан асып кетті ({detail})", "Превышено число кодов в заказе ({detail})", "More codes than the order asked for ({detail})"],
    "TANBA-ENGINE-TAIL-MISMATCH" => ["Кодтың криптографиялық бөлігі тапсырыс профиліне сай емес", "Криптографическая часть кода не соответствует профилю заказа", "A code's cryptographic part does not match the order's profile"],
    "TANBA-ENGINE-DATA-EXPORT-KEY-USED" => ["Бұл кілтпен экспорт тапсырмасы бұрын жасалған: {detail} тапсырмасы", "С этим ключом задание на выгрузку уже создано: задание {detail}", "A data export job was made with this key before: job {detail}"],
    "TANBA-ENGINE-UNKNOWN-DOCUMENT" => ["Мұндай құжат жоқ ({detail})", "Нет такого документа ({detail})", "No such document ({detail})"],
    "TANBA-ENGINE-DOCUMENT-CLOSED" => ["Құжат бұрын қабылданған не қабылданбаған ({detail})", "Документ уже принят или отклонён ({detail})", "The document was already accepted or rejected ({detail})"],
    "TANBA-ENGINE-NOT-IN-DOCUMENT" => ["Код құжатта жоқ: {detail}", "Кода нет в документе: {detail}", "The code is not in the document: {detail}"],
    "TANBA-ENGINE-ALREADY-BLOCKED" => ["Кодты бұл орган бұрын бұғаттаған: {detail}", "Код уже заблокирован этим органом: {detail}", "This authority already blocks the code: {detail}"],
    "TANBA-ENGINE-NOT-BLOCKED-BY-YOU" => ["Бұл органның кодқа бұғаты жоқ: {detail}", "У этого органа нет блокировки кода: {detail}", "This authority has no block on the code: {detail}"],
    "TANBA-ENGINE-LIMIT-EXCEEDED" => ["Шектен асты: {detail}", "Превышен предел: {detail}", "Limit exceeded: {detail}"],
    "TANBA-ENGINE-INVALID" => ["Өріс толтырылмаған не қате: {detail}", "Поле не заполнено или заполнено неверно: {detail}", "A field is missing or invalid: {detail}"],
    "TANBA-ENGINE-BUSY" => ["Жүйе бос емес: сәлден соң қайталаңыз", "Система занята: повторите чуть позже", "The system is busy: try again shortly"],
    "TANBA-ENGINE-STORE-UNAVAILABLE" => ["Деректер қоймасы қазір жазбаны қабылдамайды: ештеңе жазылмады, кейінірек қайталаңыз", "Хранилище сейчас не принимает записи: ничего не записано, повторите позже", "The store takes no writes for now: nothing was written, try again later"],
    "TANBA-ENGINE-QUEUE-SHARE-FULL" => ["Сіздің тым көп операцияңыз кезекте тұр: олардың бір бөлігіне жауап келгенде қайталаңыз", "Слишком много ваших операций ждут в очереди: повторите, когда часть из них получит ответ", "Too many of your operations are waiting: try again once some are answered"],
    "TANBA-ENGINE-RECEIPT-RECORDED" => ["Бұл чек бұрын тіркелген ({detail}): қайта жіберу ештеңені өзгертпейді", "Этот чек уже зарегистрирован ({detail}): повторная отправка ничего не меняет", "This receipt is already recorded ({detail}): sending it again changes nothing"],
    "TANBA-ENGINE-RECEIPT-MISMATCH" => ["Бұл нөмірмен басқа мазмұнды чек бұрын тіркелген ({detail})", "Чек с этим номером уже зарегистрирован с другим содержанием ({detail})", "A receipt with this id was already recorded with different content ({detail})"],
    "TANBA-ENGINE-SALE-NEEDS-RECEIPT" => ["Бөлшек сауда фискалдық чекпен ғана тіркеледі", "Розничная продажа регистрируется только фискальным чеком", "A retail sale is recorded by its fiscal receipt only"],
    "TANBA-ENGINE-FORGED-TAIL" => ["Кодтың криптоқұйрығы берілгенімен сәйкес емес: көшірме болуы мүмкін ({detail})", "Криптохвост кода не совпадает с выданным: возможно, копия ({detail})", "The code's crypto tail is not the one issued: possibly a copy ({detail})"],
    "TANBA-ENGINE-REPEATED-ON-RECEIPT" => ["Код чекте бұрыннан бар немесе чектегі қаптаманың ішінде: {detail}", "Код уже есть в чеке или входит в упаковку из этого чека: {detail}", "The code is on the receipt already, or inside a package on it: {detail}"],
    "TANBA-ENGINE-UNKNOWN-RECEIPT" => ["Сатушыда мұндай сату чегі жоқ ({detail})", "У продавца нет такого чека продажи ({detail})", "The seller has no such sales receipt ({detail})"],
    "TANBA-ENGINE-NOT-ON-RECEIPT" => ["Код бұл чек бойынша сатылмаған: {detail}", "Код не продавался по этому чеку: {detail}", "The code was not sold on this receipt: {detail}"],
    "TANBA-ENGINE-ALREADY-RETURNED" => ["Код бұл сатудан бұрын қайтарылған: {detail}", "Код уже возвращён по этой продаже: {detail}", "The code was already returned from this sale: {detail}"],
    "TANBA-ENGINE-RETURN-PERIOD-OVER" => ["Бұл тауарды қайтару мерзімі өтті: {detail}", "Срок возврата этого товара истёк: {detail}", "The return period for these goods has passed: {detail}"],
    "TANBA-ENGINE-EXPIRED" => ["Тауардың жарамдылық мерзімі өткен, сатуға болмайды: {detail}", "Срок годности товара истёк, продавать нельзя: {detail}", "The goods are past their expiry date and must not be sold: {detail}"],
    "TANBA-ENGINE-NOT-SERVED" => ["Фискалдық деректер операторы бұл сатушыға қызмет көрсетпейді ({detail})", "Оператор фискальных данных не обслуживает этого продавца ({detail})", "The fiscal data operator does not serve this seller ({detail})"],
    "TANBA-CALENDAR-NOT-COVERED" => ["Жұмыс күндерінің күнтізбесі бұл күнді қамтымайды: {detail}", "Календарь рабочих дней не охватывает этот день: {detail}", "The working-day calendar does not cover this day: {detail}"],
    "TANBA-CALENDAR-TERM" => ["Мерзім 1 күннен кем немесе тым ұзақ: {detail}", "Срок меньше 1 дня или слишком длинный: {detail}", "The term is under 1 day or too long: {detail}"],
    "TANBA-CALENDAR-INVALID" => ["Күнтізбе деректері қате: {detail}", "Данные календаря неверны: {detail}", "The calendar data is wrong: {detail}"],
    "TANBA-CLOCK-STATE" => ["Мерзім бұл әрекетке сәйкес күйде емес: {detail}", "Срок не в том состоянии для этого действия: {detail}", "The term is not in a state for this: {detail}"],
    "TANBA-CLOCK-EXTENDED-BEFORE" => ["Мерзім бұрын ұзартылған: тек бір рет ұзартуға болады", "Срок уже продлевался: продлить можно один раз", "The term was extended before: it may be extended once"],
    "TANBA-CLOCK-BEFORE-LAST-CHANGE" => ["Күн мерзімнің соңғы өзгерісінен бұрын: {detail}", "День раньше последнего изменения срока: {detail}", "The day is before the term's last change: {detail}"],
    "TANBA-RECALL-EXPORT-DOCUMENT" => ["Әкетудің құжаты көрсетілмеген: {detail}", "Не указан документ о вывозе: {detail}", "The export document is missing: {detail}"],
    "TANBA-RECALL-CONFORMITY-DOCUMENT" => ["Сәйкестікті растау құжаты көрсетілмеген: {detail}", "Не указан документ о подтверждении соответствия: {detail}", "The conformity-confirmation document is missing: {detail}"],
    "TANBA-RECALL-AGREED-TERM" => ["Сатып алушымен келісілген мерзім бүгіннен кейін аяқталуы керек: {detail}", "Согласованный с покупателем срок должен заканчиваться после сегодняшнего дня: {detail}", "The term agreed with the buyer must end after today: {detail}"],
    "TANBA-RECALL-NOT-REPROCESSED" => ["Сәйкестікті растау тек қайта өңделген өнімге қажет: {detail}", "Подтверждение соответствия нужно только для переработанной продукции: {detail}", "Conformity confirmation applies to reprocessed goods only: {detail}"],
    "TANBA-RECALL-ANSWERED" => ["Бұл тарап өтінішке жауап берді: {detail}", "Эта сторона уже ответила на заявление: {detail}", "This party has answered the claim already: {detail}"],
    "TANBA-RECALL-DATES" => ["Өндіру күндерінің аралығы дұрыс емес: {detail}", "Неверный интервал дат производства: {detail}", "The production-date range is wrong: {detail}"],
    "TANBA-RECALL-NO-ADDRESSEE" => ["Өтініш кемінде бір міндетті тұлғаға жолдануы керек", "Заявление должно быть адресовано хотя бы одному обязанному лицу", "A claim must name at least one obligated party"],
    "TANBA-CASE-UNKNOWN-KIND" => ["Мұндай рәсім жоқ: {detail}", "Такой процедуры нет: {detail}", "No such procedure: {detail}"],
    "TANBA-CASE-UNKNOWN-TRANSITION" => ["Рәсімде мұндай қадам жоқ: {detail}", "В процедуре нет такого шага: {detail}", "The procedure has no such step: {detail}"],
    "TANBA-CASE-WRONG-STATE" => ["Іс бұл қадамға сәйкес күйде емес: {detail}", "Дело не в том состоянии для этого шага: {detail}", "The case is not in a state for this step: {detail}"],
    "TANBA-CASE-CLOSED" => ["Іс жабылған: {detail}", "Дело закрыто: {detail}", "The case is closed: {detail}"],
    "TANBA-CASE-NOT-YOUR-STEP" => ["Бұл қадамды сіз жасай алмайсыз: {detail}", "Этот шаг делаете не вы: {detail}", "This step is not yours to take: {detail}"],
    "TANBA-CASE-AUTHORITY" => ["Уәкілетті орган дұрыс көрсетілмеген: {detail}", "Уполномоченный орган указан неверно: {detail}", "The authority is wrong or missing: {detail}"],
    "TANBA-CASE-PARENT" => ["Негізгі іс дұрыс емес: {detail}", "Основное дело указано неверно: {detail}", "The case it belongs to is wrong: {detail}"],
    "TANBA-CASE-TOO-LARGE" => ["Нысан немесе қосымшалар тым үлкен: {detail}", "Форма или вложения слишком велики: {detail}", "The form or attachments are too large: {detail}"],
    "TANBA-CASE-ATTACHMENT" => ["Қосымша дұрыс емес: {detail}", "Вложение неверно: {detail}", "An attachment is wrong: {detail}"],
    "TANBA-CASE-FIELD-MISSING" => ["Нысанның міндетті өрісі толтырылмаған: {detail}", "Не заполнено обязательное поле формы: {detail}", "A required form field is missing: {detail}"],
    "TANBA-CASE-FIELD-UNKNOWN" => ["Нысанда мұндай өріс жоқ: {detail}", "В форме нет такого поля: {detail}", "The form has no such field: {detail}"],
    "TANBA-CASE-FIELD-SHAPE" => ["Өріс бір мән, тізім немесе кесте болуы керек: {detail}", "Поле должно быть одним значением, списком или таблицей: {detail}", "The field must be one value, a list or a table: {detail}"],
    "TANBA-CASE-FIELD-TYPE" => ["Өріс мәнінің түрі қате: {detail}", "Неверный тип значения поля: {detail}", "The field's value is of the wrong type: {detail}"],
    "TANBA-CASE-FIELD-TEXT" => ["Өріс мәтіні бос, тым ұзын немесе рұқсат етілмеген таңбасы бар: {detail}", "Текст поля пуст, слишком длинный или содержит недопустимые символы: {detail}", "The field's text is empty, too long or has forbidden characters: {detail}"],
    "TANBA-CASE-FIELD-RANGE" => ["Өріс мәні рұқсат етілген шектен тыс: {detail}", "Значение поля вне допустимых пределов: {detail}", "The field's value is out of range: {detail}"],
    "TANBA-CASE-FIELD-CHOICE" => ["Өріс мәні рұқсат етілген нұсқалардың бірі емес: {detail}", "Значение поля не из допустимых вариантов: {detail}", "The field's value is not one of the allowed choices: {detail}"],
    "TANBA-CASE-FIELD-HS-CODE" => ["СЭҚ ТН коды қате: {detail}", "Неверный код ТН ВЭД: {detail}", "Bad HS (TN VED) code: {detail}"],
    "TANBA-CASE-FIELD-GTIN" => ["GTIN қате (14 цифр, бақылау цифрымен): {detail}", "Неверный GTIN (14 цифр с контрольной): {detail}", "Bad GTIN (14 digits with the check digit): {detail}"],
    "TANBA-CASE-FIELD-CURRENCY" => ["Валюта коды ISO 4217 бойынша емес: {detail}", "Код валюты не по ISO 4217: {detail}", "Not an ISO 4217 currency code: {detail}"],
    "TANBA-CASE-FIELD-COUNTRY" => ["Ел коды ISO 3166 бойынша емес: {detail}", "Код страны не по ISO 3166: {detail}", "Not an ISO 3166 country code: {detail}"],
    "TANBA-CASE-FIELD-CONTROL-CODE" => ["Бақылау тізімінің коды дұрыс жазылмаған: {detail}", "Код контрольного списка записан неверно: {detail}", "Not a control-list code: {detail}"],
    "TANBA-CASE-FIELD-UNIT" => ["Өлшем бірлігінің коды дұрыс емес: {detail}", "Неверный код единицы измерения: {detail}", "Not a unit-of-measure code: {detail}"],
    "TANBA-CASE-FIELD-NOT-LISTED" => ["Код қолданыстағы анықтамалықта жоқ: {detail}", "Кода нет в действующем справочнике: {detail}", "The code is not in the reference data in force: {detail}"],
    "TANBA-SERVICE-FILE-NOT-ATTACHED" => ["Тізімдегі құжаттың файлы тіркелмеген: {detail}", "Файл документа из перечня не приложен: {detail}", "A listed document's file is not attached: {detail}"],
    "TANBA-SERVICE-DOCUMENT-DATES" => ["Құжаттың берілген күні қолданылу мерзімінен кейін: {detail}", "Дата выдачи документа позже срока его действия: {detail}", "A document is issued after its validity ends: {detail}"],
    "TANBA-SERVICE-TRANSLATION-MISSING" => ["Шет тіліндегі құжатқа қазақ немесе орыс тіліне аудармасы қоса берілмеген: {detail}", "К документу на иностранном языке не приложен перевод на казахский или русский язык: {detail}", "A foreign-language document has no Kazakh or Russian translation: {detail}"],
    "TANBA-SERVICE-GROUND" => ["Бас тарту негізі дұрыс көрсетілмеген: {detail}", "Основание для отказа указано неверно: {detail}", "The refusal ground is wrong: {detail}"],
    "TANBA-SERVICE-DATE-FUTURE" => ["Күн болашақта болмауы керек: {detail}", "Дата не может быть в будущем: {detail}", "The date cannot be in the future: {detail}"],
    "TANBA-COMPLAINT-NOT-THE-APPLICANT" => ["Шағымды тек осы істің көрсетілетін қызметті алушысы бере алады: {detail}", "Жалобу может подать только услугополучатель по этому делу: {detail}", "Only the applicant of the case may complain: {detail}"],
    "TANBA-COMPLAINT-REVIEWER" => ["Шағымды қарайтын орган дұрыс емес: {detail}", "Неверно указан орган, рассматривающий жалобу: {detail}", "The complaint's reviewer is wrong: {detail}"],
    "TANBA-COMPLAINT-NO-EXTENSION" => ["Бұл қызмет бойынша шағымды қарау мерзімі ұзартылмайды: {detail}", "По этой услуге срок рассмотрения жалобы не продлевается: {detail}", "This service's complaint term cannot be extended: {detail}"],
    "TANBA-COMPLAINT-NO-FAVOURABLE-ACT" => ["Бұл қызметтің қағидаларында шағымды жібермей қанағаттандыру көзделмеген: {detail}", "Правила этой услуги не предусматривают удовлетворение жалобы без её направления: {detail}", "This service's rules do not provide for satisfying a complaint without forwarding it: {detail}"],
    "TANBA-PERMIT-APPLICANT-ID" => ["Өтініш берушінің БСН/ЖСН-і, филиалдың БСН-і не шетелдік тіркеу нөмірі мен елі көрсетілуі керек: {detail}", "Нужен БИН/ИИН заявителя, БИН филиала или иностранный регистрационный номер со страной: {detail}", "Give the applicant's BIN/IIN, its branch's BIN, or a foreign registration number with its country: {detail}"],
    "TANBA-PERMIT-INFORMATION-FORM" => ["Мәліметтер нысанының жолы толтырылмаған: {detail}", "Не заполнена строка формы сведений: {detail}", "A line of the information form is missing: {detail}"],
    "TANBA-PERMIT-COPIES-NOT-CERTIFIED" => ["Мемлекеттік корпорацияға берілетін көшірмелер қолмен және мөрмен куәландырылуы керек: {detail}", "Копии, подаваемые через Госкорпорацию, заверяются подписью и печатью: {detail}", "Copies filed through the State Corporation must be certified with signature and seal: {detail}"],
    "TANBA-PERMIT-SEAL-PORTAL" => ["Мөр тек Мемлекеттік корпорация арқылы берілген өтінішке қойылады: {detail}", "Печать ставится только на заявлении через Госкорпорацию: {detail}", "A seal goes only on an application through the State Corporation: {detail}"],
    "TANBA-PERMIT-NOT-EXTRATERRITORIAL" => ["Бұл эксаумақтық кері экспорт емес: {detail}", "Это не экстерриториальный реэкспорт: {detail}", "This is not an extraterritorial re-export: {detail}"],
    "TANBA-PERMIT-ALREADY-RECORDED" => ["Бұл қадам бұрын тіркелген: {detail}", "Этот шаг уже записан: {detail}", "This step is recorded already: {detail}"],
    "TANBA-PERMIT-ORDER" => ["Алдымен басқа қадам қажет: {detail}", "Сначала нужен другой шаг: {detail}", "Another step must come first: {detail}"],
    "TANBA-PERMIT-NOT-READY" => ["Рұқсат беруге әлі болмайды, қажет: {detail}", "Разрешение пока нельзя выдать, нужно: {detail}", "The permit cannot be issued yet; it needs: {detail}"],
    "TANBA-PERMIT-VALIDITY" => ["Рұқсаттың қолданылу мерзімі бір жылдан және құжаттардың мерзімінен аспауы керек: {detail}", "Срок действия разрешения — не более года и не дольше документов: {detail}", "A permit is valid at most a year and no longer than its documents: {detail}"],
    "TANBA-PERMIT-GROUND-UNSUPPORTED" => ["Бас тарту негізі істе тіркелгенге сәйкес келмейді: {detail}", "Основание отказа не соответствует записанному в деле: {detail}", "The refusal ground does not match what the case records: {detail}"],
    "TANBA-PERMIT-DELIVERY" => ["Нәтиже Мемлекеттік корпорацияда қолма-қол, порталда электрондық түрде беріледі: {detail}", "Результат выдаётся в Госкорпорации на руки, на портале — электронно: {detail}", "The result is handed over in person at the State Corporation, electronically on the portal: {detail}"],
    "TANBA-CERT-APPLICATION" => ["Өтініштің жолы толтырылмаған: {detail}", "Не заполнена строка заявления: {detail}", "A line of the application is missing: {detail}"],
    "TANBA-CERT-REPLACES" => ["Ауыстырылатын сертификат дұрыс емес: {detail}", "Заменяемый сертификат указан неверно: {detail}", "The certificate it replaces is wrong: {detail}"],
    "TANBA-CERT-COSIGNERS" => ["Кепілдік міндеттемесіне қол қоятындар дұрыс көрсетілмеген: {detail}", "Неверно указаны подписанты гарантийного обязательства: {detail}", "The guarantee obligation's co-signers are wrong: {detail}"],
    "TANBA-CERT-SIGNED" => ["Бұл тарап кепілдік міндеттемесіне қол қойып қойған: {detail}", "Эта сторона уже подписала гарантийное обязательство: {detail}", "This party has signed the guarantee obligation already: {detail}"],
    "TANBA-CERT-INCOMPLETE" => ["Құжаттар толық емес: {detail}", "Документы неполные: {detail}", "The documents are incomplete: {detail}"],
    "TANBA-CERT-NOT-READY" => ["Сертификат беруге болмайды, қажет: {detail}", "Сертификат выдать нельзя, нужно: {detail}", "The certificate cannot be issued; it needs: {detail}"],
    "TANBA-CERT-PAPER-SIGNATURE" => ["Қағаздағы қолтаңба тіркелуі керек: {detail}", "Нужно записать подпись на бумаге: {detail}", "The paper signature must be recorded: {detail}"],
    "TANBA-CERT-NOTICE-TOO-LATE" => ["Алдын ала шешім туралы хабарлама кеш: {detail}", "Уведомление о предварительном решении запоздало: {detail}", "The notice of the preliminary decision is too late: {detail}"],
    "TANBA-CERT-HEARING-DAY" => ["Тыңдау хабарламадан кейін 2 жұмыс күні ішінде өтеді: {detail}", "Заслушивание проводится в течение 2 рабочих дней после уведомления: {detail}", "The hearing is held within 2 working days of the notice: {detail}"],
    "TANBA-CERT-GROUND-NOT-HEARD" => ["Бұл негіз тыңдауда қаралмаған: {detail}", "Это основание не рассматривалось на заслушивании: {detail}", "This ground was not put to the hearing: {detail}"],
    "TANBA-CERT-IMMUTABLE" => ["Сертификатқа өзгерістер енгізілмейді: {detail}", "В сертификат изменения не вносятся: {detail}", "A certificate cannot be changed: {detail}"],
    "TANBA-REX-ORGANIZATION" => ["Уәкілетті ұйым («Атамекен») бір рет көрсетілуі керек: {detail}", "Уполномоченная организация («Атамекен») указывается один раз: {detail}", "Name the authorized organization (Atameken) once: {detail}"],
    "TANBA-REX-REQUESTING-STATE" => ["Верификация тек Норвегия немесе Швейцарияның ресми сұрау салуы бойынша жүргізіледі: {detail}", "Верификация проводится только по официальному запросу Норвегии или Швейцарии: {detail}", "A verification runs only on an official request from Norway or Switzerland: {detail}"],
    "TANBA-REX-DOCUMENTS" => ["Құжаттар қоса берілмеген: {detail}", "Документы не приложены: {detail}", "The documents are not attached: {detail}"],
    "TANBA-REX-NOT-ENTERED" => ["Нәтижелер жүйеге енгізілуі керек: {detail}", "Результаты должны быть отражены в системе: {detail}", "The results must be entered in the system: {detail}"],
    "TANBA-REX-CONDITION" => ["Бұл шарт қорытындыда жоқ: {detail}", "Этого условия нет в заключении: {detail}", "This condition is not in the conclusion: {detail}"],
    "TANBA-ENGINE-EXPORT-PERMIT-REQUIRED" => ["Бақыланатын тауарды ЕАЭО-дан тыс экспорттауға рұқсат қажет: {detail}", "Для экспорта контролируемого товара за пределы ЕАЭС нужно разрешение: {detail}", "Controlled goods leave the EAEU only under a permit: {detail}"],
    "TANBA-ENGINE-EXPORT-PERMIT-UNKNOWN" => ["Мұндай нөмірлі рұқсат жоқ: {detail}", "Разрешения с таким номером нет: {detail}", "No permit has this number: {detail}"],
    "TANBA-ENGINE-EXPORT-PERMIT-ENDED" => ["Рұқсат кері қайтарылған немесе мерзімі аяқталған: {detail}", "Разрешение отозвано или истекло: {detail}", "The permit is revoked or expired: {detail}"],
    "TANBA-ENGINE-EXPORT-PERMIT-EXPIRED" => ["Рұқсаттың қолданылу мерзімі өтті: {detail}", "Срок действия разрешения прошёл: {detail}", "The permit's validity has passed: {detail}"],
    "TANBA-ENGINE-EXPORT-PERMIT-NOT-HOLDER" => ["Рұқсат басқа қатысушыға берілген: {detail}", "Разрешение выдано другому участнику: {detail}", "The permit is another participant's: {detail}"],
    "TANBA-ENGINE-EXPORT-PERMIT-MISMATCH" => ["Тауар немесе түпкілікті пайдаланушы рұқсатқа сәйкес емес: {detail}", "Товар или конечный пользователь не соответствуют разрешению: {detail}", "The goods or the end user are not the permit's: {detail}"],
    "TANBA-ENGINE-EXPORT-PERMIT-EXHAUSTED" => ["Рұқсат бойынша қалған саны жеткіліксіз: {detail}", "По разрешению осталось недостаточное количество: {detail}", "Not enough quantity remains on the permit: {detail}"],
    "TANBA-SERVICE-NOT-REGISTERED" => ["Өтініш әлі тіркелмеген; тіркелетін күні: {detail}", "Заявление ещё не зарегистрировано; дата регистрации: {detail}", "The application is not registered yet; it registers on {detail}"],
    "TANBA-SERVICE-PROVIDER-UNBOUND" => ["Оператор бұл қызметті көрсететін қатысушыны әлі көрсетпеген: {detail}", "Оператор ещё не указал участника, оказывающего эту услугу: {detail}", "The operator has not yet named the participant who provides this service: {detail}"],
    "TANBA-SERVICE-NOT-THE-PROVIDER" => ["Іс бұл қызметті көрсетушіге жолдануы керек: {detail}", "Дело направляется услугодателю этой услуги: {detail}", "The case goes to this service's provider: {detail}"],
    "TANBA-PERMIT-NAMES-NOBODY" => ["Рұқсат ісі басқа тараптарды атамайды: {detail}", "Дело о разрешении не называет других сторон: {detail}", "A permit's case names no other party: {detail}"],
    "TANBA-AMENDMENT-RECIPIENTS" => ["Өзгерістер туралы барлық тиісті ұйымдарға хабарлау керек: {detail}", "Об изменениях нужно сообщить всем положенным организациям: {detail}", "Every body due must be informed of the amendment: {detail}"],
    "TANBA-REFERENCE-INVALID" => ["Анықтамалық деректер дұрыс емес: {detail}", "Справочные данные неверны: {detail}", "The reference data is invalid: {detail}"],
    "TANBA-REFERENCE-NOT-PUBLISHED" => ["Анықтамалықтың бірде-бір нұсқасы жарияланбаған: {detail}", "Ни одна версия справочника не опубликована: {detail}", "No version of the reference set is published: {detail}"],
    "TANBA-SCAN-TOO-LONG" => ["Код тым ұзын: ең көбі {detail} байт", "Код слишком длинный: не более {detail} байт", "The code is too long: at most {detail} bytes"],
    "TANBA-SCAN-TAIL" => ["Кодтың криптоқұйрығы толық емес: AI 91 мен 92 бірге, AI 93 жеке болады", "Криптохвост кода неполон: AI 91 и 92 идут вместе, AI 93 отдельно", "The code's tail is incomplete: AI 91 and 92 go together, AI 93 alone"],
    "TANBA-ENGINE-FOREIGN-TAXPAYER" => ["Салық төлеуші нөмірі өз мемлекетінің форматтық-логикалық бақылауынан өтпейді: {detail}", "Номер налогоплательщика не проходит форматно-логический контроль своего государства: {detail}", "The taxpayer number fails its state's format-logical control: {detail}"],
    "TANBA-SERVER-UNAUTHENTICATED" => ["Кіру қажет: жарамды токен жоқ немесе оның мерзімі өткен", "Нужен вход: токена нет, он недействителен или истёк", "Sign-in needed: no token, or it is invalid or expired"],
    "TANBA-SERVER-FORBIDDEN" => ["Бұған рұқсат жоқ ({detail})", "Нет права на это ({detail})", "Not allowed ({detail})"],
    "TANBA-SERVER-RATE-LIMITED" => ["Сұраулар тым көп: сәл кейін қайталаңыз", "Слишком много запросов: повторите чуть позже", "Too many requests: try again shortly"],
    "TANBA-SERVER-INVALID" => ["Сұрау өрісі қате немесе толтырылмаған ({detail})", "Поле запроса неверно или не заполнено ({detail})", "A request field is wrong or missing ({detail})"],
    "TANBA-SERVER-TOO-MANY" => ["Бір сұрауда тым көп жазба ({detail})", "Слишком много записей в одном запросе ({detail})", "Too many entries in one request ({detail})"],
    "TANBA-SERVER-NOT-READY" => ["Әлі дайын емес ({detail})", "Ещё не готово ({detail})", "Not ready yet ({detail})"],
    "TANBA-EPCIS-CAPTURE-MALFORMED" => ["EPCIS құжаты JSON емес ({detail})", "Документ EPCIS не является JSON ({detail})", "The EPCIS document is not JSON ({detail})"],
    "TANBA-EPCIS-CAPTURE-TOO-LARGE" => ["EPCIS құжаты тым үлкен ({detail})", "Документ EPCIS слишком велик ({detail})", "The EPCIS document is too large ({detail})"],
    "TANBA-EPCIS-CAPTURE-TOO-MANY-EVENTS" => ["Бір қабылдауда оқиғалар тым көп ({detail})", "Слишком много событий в одной передаче ({detail})", "Too many events in one capture ({detail})"],
    "TANBA-EPCIS-CAPTURE-SCHEMA" => ["Құжат EPCIS 2.0 JSON схемасына сай емес: {detail}", "Документ не соответствует JSON-схеме EPCIS 2.0: {detail}", "The document does not match the EPCIS 2.0 JSON schema: {detail}"],
    "TANBA-EPCIS-CAPTURE-VOCABULARY" => ["Мән CBV 2.0 сөздігінде жоқ және URI емес: {detail}", "Значения нет в словаре CBV 2.0, и это не URI: {detail}", "The value is no CBV 2.0 word and no URI: {detail}"],
    "TANBA-EPCIS-CAPTURE-NAMESPACE" => ["Пайдаланушы өрісі жарияланған аттар кеңістігінде емес: {detail}", "Пользовательское поле не в объявленном пространстве имён: {detail}", "A user field is not under a declared namespace: {detail}"],
    "TANBA-EPCIS-CAPTURE-EVENT-TYPE" => ["EPCIS 2.0-де мұндай оқиға түрі жоқ: {detail}", "В EPCIS 2.0 нет такого типа события: {detail}", "EPCIS 2.0 has no such event type: {detail}"],
    "TANBA-EPCIS-CAPTURE-NOT-CAPTURE-DOCUMENT" => ["Тек оқиғалар құжаты (EPCISDocument) қабылданады ({detail})", "Принимается только документ событий (EPCISDocument) ({detail})", "Only a document of events (EPCISDocument) is captured ({detail})"],
    "TANBA-EPCIS-CAPTURE-NOT-MAPPED" => ["Бұл оқиғаға Tanba-да операция жоқ: {detail}", "Для этого события в Tanba нет операции: {detail}", "No Tanba operation matches this event: {detail}"],
    "TANBA-EPCIS-CAPTURE-SIGNED-DOCUMENT" => ["Жөнелту мен қабылдау — қол қойылған құжаттар, оқиға емес: құжаттар қызметін пайдаланыңыз ({detail})", "Отгрузка и приёмка — подписанные документы, а не события: используйте сервис документов ({detail})", "A shipment and its acceptance are signed documents, not events: use the documents service ({detail})"],
    "TANBA-EPCIS-CAPTURE-FISCAL-RECEIPT" => ["Бөлшек сауда тек фискалдық чек арқылы тіркеледі ({detail})", "Розничная продажа регистрируется только фискальным чеком ({detail})", "A retail sale is recorded only from a fiscal receipt ({detail})"],
    "TANBA-EPCIS-CAPTURE-CLASS-LEVEL" => ["Tanba даналарды бақылайды, сынып бойынша саны қабылданбайды ({detail})", "Tanba отслеживает экземпляры, количества по классу не принимаются ({detail})", "Tanba follows units: counts of a class are not taken ({detail})"],
    "TANBA-EPCIS-CAPTURE-IDENTIFIER" => ["Идентификатор таңбалау коды емес (GTIN сериясымен немесе SSCC): {detail}", "Идентификатор не является кодом маркировки (GTIN с серийным номером или SSCC): {detail}", "The identifier is no marking code (a GTIN with a serial, or an SSCC): {detail}"],
    "TANBA-EPCIS-CAPTURE-ERROR-DECLARATION" => ["Қате туралы мәлімдеме қабылданбайды: түзету операцияның өзімен жасалады ({detail})", "Объявление об ошибке не принимается: исправление делается самой операцией ({detail})", "An error declaration is not captured: a correction is made through the operation itself ({detail})"],
    "TANBA-EPCIS-CAPTURE-FIELD" => ["Оқиғада қажетті өріс жоқ немесе қате: {detail}", "В событии нет нужного поля или оно неверно: {detail}", "The event lacks a field it needs, or it is wrong: {detail}"],
    "TANBA-EPCIS-QUERY-UNKNOWN-PARAMETER" => ["Сұрауда мұндай параметр жоқ: {detail}", "В запросе нет такого параметра: {detail}", "The query has no such parameter: {detail}"],
    "TANBA-EPCIS-QUERY-VALUE" => ["Параметрдің мәні қате: {detail}", "Неверное значение параметра: {detail}", "A parameter's value is wrong: {detail}"],
    "TANBA-EPCIS-QUERY-PAGE-TOKEN" => ["Бет белгісін бұл сервер бермеген", "Этот токен страницы выдан не этим сервером", "The page token is not one this server gave"],
    "TANBA-SERVER-NOT-FOUND" => ["Табылмады ({detail})", "Не найдено ({detail})", "Not found ({detail})"],
    "TANBA-SERVER-BAD-DOCUMENT-SIGNATURE" => ["Құжаттың қолтаңбасы қол қоюшының тіркелген кілтіне сәйкес келмейді", "Подпись документа не соответствует зарегистрированному ключу подписанта", "The document's signature does not match a registered key of its signer"],
    "TANBA-SERVER-CHALLENGE-USED" => ["Бұл кіру сұрағы бұрын пайдаланылған: жаңасын сұраңыз", "Этот запрос на вход уже использован: запросите новый", "This sign-in challenge was already used: ask for a new one"],
    "TANBA-SERVER-UNSUPPORTED-MEDIA" => ["Сұрау пішімі қолдау көрсетілмейді: {detail} күтіледі", "Формат запроса не поддерживается: ожидается {detail}", "Unsupported request format: {detail} expected"],
    "TANBA-SERVER-MALFORMED" => ["Сұрауды оқу мүмкін емес: хабарлама пішімі бұзылған", "Запрос не читается: сообщение повреждено или не того формата", "The request cannot be read: the message is corrupt or in the wrong format"],
    "TANBA-SERVER-INTERNAL" => ["Сервердің ішкі қатесі: сұрау орындалмады", "Внутренняя ошибка сервера: запрос не выполнен", "Internal server error: the request was not carried out"],
    "TANBA-SERVER-CSRF" => ["Пішін осы консольден жіберілмеген немесе оның мерзімі өтіп кеткен: бетті қайта ашып, қайталаңыз", "Форма отправлена не из этой консоли или устарела: откройте страницу заново и повторите", "The form did not come from this console or has expired: open the page again and repeat"],
    "TANBA-SERVER-CURSOR" => ["Курсор журналдың соңынан асып кетті (курсор > соңғы жазба: {detail}): соңғы алынған позицияны беріңіз", "Курсор дальше конца журнала (курсор > последняя запись: {detail}): передайте последнюю полученную позицию", "The cursor is past the end of the log (cursor > last entry: {detail}): pass the last position received"],
    "TANBA-FEED-UNKNOWN" => ["Мұндай арна жоқ: {detail} (tax, customs, eaeu, stages, goods, registry, cases, all)", "Такой ленты нет: {detail} (tax, customs, eaeu, stages, goods, registry, cases, all)", "No such feed: {detail} (tax, customs, eaeu, stages, goods, registry, cases, all)"],
    "TANBA-FEED-ORDER" => ["Арнада жазба жоғалған немесе орны ауысқан: {detail}", "В ленте запись пропущена или переставлена: {detail}", "An entry of the feed is missing or out of order: {detail}"],
    "TANBA-FEED-ALTERED" => ["Арна жазбасы өзгертілген: оның хэші тізбектен шықпайды ({detail})", "Запись ленты изменена: её хэш не следует из цепочки ({detail})", "An entry of the feed was altered: its hash does not follow from the chain ({detail})"],
    "TANBA-FEED-LEFT-OUT" => ["Арнаға тиесілі жазба жіберілмеген: {detail}", "Запись, относящаяся к ленте, не передана: {detail}", "An entry of this feed was left out: {detail}"],
    "TANBA-FEED-RECORD" => ["Арна жазбасы оқылмайды: {detail}", "Запись ленты не читается: {detail}", "An entry's record does not read: {detail}"],
    "TANBA-FEED-CHECKPOINT" => ["Қол қойылған бақылау нүктесі расталмады: {detail}", "Подписанная контрольная точка не подтверждается: {detail}", "A signed checkpoint does not verify: {detail}"],
    "TANBA-FEED-UNPROVABLE" => ["Бұл арна толықтығының дәлелін бермейді (өз тауарлары: басқа жазбалар жіберілмейді): {detail}", "Эта лента не несёт доказательства полноты (свои товары: прочие записи не передаются): {detail}", "This feed carries no proof of completeness (own goods: other entries are not sent): {detail}"],
    "TANBA-FEED-LINE" => ["Сақталған арна жолы оқылмайды: {detail}", "Строка сохранённой ленты не читается: {detail}", "A line of the saved feed does not read: {detail}"],
    "TANBA-SERVER-BEHIND" => ["Бұл түйін x-tanba-after атаған журнал жазбасын ({detail}) әлі қолданған жоқ: қайталаңыз немесе басқа түйінге жүгініңіз", "Этот узел ещё не применил запись журнала, названную в x-tanba-after ({detail}): повторите или обратитесь к другому узлу", "This node has not yet applied the log entry named in x-tanba-after ({detail}): try again, or ask another node"],
    "TANBA-SERVER-DIVERGED" => ["Бұл түйіннің журналы кластердің басқа түйіндерінікінен өзгеше: ол қалпына келтірілгенше ешкімге жауап бермейді, басқа түйінге жүгініңіз", "Журнал этого узла расходится с журналами других узлов кластера: он не отвечает, пока его не восстановят, обратитесь к другому узлу", "This node's log differs from the other nodes' of its cluster: it answers no one until it is restored, ask another node"],
    "TANBA-SERVER-TIMEOUT" => ["Сұрау тым ұзақ орындалды және тоқтатылды: қайталаңыз", "Запрос выполнялся слишком долго и прерван: повторите", "The call took too long and was stopped: try again"],
    "TANBA-ENGINE-STOPPED" => ["Жүйе тоқтап тұр", "Система остановлена", "The system has stopped"],
    "TANBA-ENGINE-LOG-UNAVAILABLE" => ["Операцияны операциялар журналы уақытында растамады: ол бәрібір орындалуы мүмкін, қайталамас бұрын тексеріңіз", "Журнал операций не подтвердил операцию вовремя: она ещё может быть выполнена, проверьте перед повтором", "The command log did not confirm the operation in time: it may still be applied, so check before repeating it"],
    "TANBA-ENGINE-SHELF-UNAVAILABLE" => ["Тіркелген файлдардың ортақ қоймасы уақытында жауап бермеді: қайталап көріңіз", "Общее хранилище вложений не ответило вовремя: повторите попытку", "The shared store of attachments did not answer in time: try again"],
    "TANBA-ENGINE-RECALLED" => ["Тауар кері қайтарылып алынуда, оны сатуға болмайды: {detail}", "Товар отзывается, продавать его нельзя: {detail}", "The product is being recalled and may not be sold: {detail}"],
    "TANBA-ENGINE-RECALL-RETURN-ONLY" => ["Тауар кері қайтарылып алынуда, оны тек кері қайтарып алушыға қайтаруға болады: {detail}", "Товар отзывается, его можно вернуть только отзывающему: {detail}", "The product is being recalled and may go back only to the party recalling it: {detail}"],
    "TANBA-ENGINE-UNKNOWN-CASE" => ["Мұндай іс жоқ: {detail}", "Такого дела нет: {detail}", "No such case: {detail}"],
    "TANBA-ENGINE-UNKNOWN-NOTICE" => ["Мұндай хабарлама жоқ: {detail}", "Такого уведомления нет: {detail}", "No such notice: {detail}"],
    "TANBA-ENGINE-SCOPE-NOT-YOURS" => ["Бұл тауарды айналымға сіз енгізген жоқсыз: {detail}", "Этот товар в оборот ввели не вы: {detail}", "You did not put these goods into circulation: {detail}"],
    "TANBA-ENGINE-SCOPE-EMPTY" => ["Қайтарып алу аясына бірде-бір таңбаланған бірлік кірмейді", "В объём отзыва не входит ни одной маркированной единицы", "The recall scope matches no marked unit"],
    "TANBA-ENGINE-UNKNOWN-ATTACHMENT" => ["Мұндай қосымша сақталмаған: {detail}", "Такое вложение не сохранено: {detail}", "No such stored attachment: {detail}"],
};

/// Every code the catalogue holds a message for (the GS1 linter codes share one template).
pub fn catalogue_codes() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().map(|entry| entry.code)
}

/// The message template for `code` in `language`, if the code is known.
pub fn template(code: &str, language: Language) -> Option<&'static str> {
    let entry = CATALOGUE
        .iter()
        .find(|entry| entry.code == code)
        .or_else(|| {
            code.starts_with(GS1_LINT_CODE_PREFIX)
                .then_some(&LINT_TEMPLATE)
        })?;
    Some(match language {
        Language::Kk => entry.kk,
        Language::Ru => entry.ru,
        Language::En => entry.en,
    })
}

/// The message for `error` in `language`, starting with its code: `TANBA-...: text`. An unknown
/// code (a bug: every code must be in the catalogue, and a test checks it) falls back to the code.
pub fn localize(error: &dyn Localized, language: Language) -> String {
    render(
        error.code(),
        error.ai(),
        error.position(),
        error.detail(),
        language,
    )
}

fn render(
    code: &str,
    ai: Option<&str>,
    position: Option<usize>,
    detail: Option<String>,
    language: Language,
) -> String {
    let Some(template) = template(code, language) else {
        return code.to_owned();
    };
    // People count characters from 1; codes are ASCII, so bytes and characters agree.
    let position = position.map_or_else(|| "?".to_owned(), |position| (position + 1).to_string());
    let detail = detail.unwrap_or_else(|| "?".to_owned());
    let text = template
        .replace("{ai}", ai.unwrap_or("?"))
        .replace("{position}", &position)
        .replace("{detail}", &detail);
    format!("{code}: {text}")
}

/// An error kept for later: its code and what its message names, so that it can be shown
/// again, in any language, long after the error itself is gone (a refused receipt line in the
/// log is answered again to every resend of the receipt).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ErrorNote {
    /// The stable error code.
    pub code: String,
    /// The AI concerned, for GS1 errors.
    pub ai: Option<String>,
    /// The byte position in the input (0-based).
    pub position: Option<u32>,
    /// The particular the message names.
    pub detail: Option<String>,
}

impl ErrorNote {
    /// Notes `error`.
    pub fn of(error: &dyn Localized) -> ErrorNote {
        ErrorNote {
            code: error.code().to_owned(),
            ai: error.ai().map(str::to_owned),
            position: error
                .position()
                .map(|position| u32::try_from(position).unwrap_or(u32::MAX)),
            detail: error.detail(),
        }
    }

    /// The message, in `language`, as [`localize`] gave it for the error.
    pub fn localize(&self, language: Language) -> String {
        render(
            &self.code,
            self.ai.as_deref(),
            self.position.map(|position| position as usize),
            self.detail.clone(),
            language,
        )
    }
}

impl Localized for tanba_gs1::Gs1Error {
    fn code(&self) -> &'static str {
        tanba_gs1::Gs1Error::code(self)
    }
    fn ai(&self) -> Option<&str> {
        self.ai.as_deref()
    }
    fn position(&self) -> Option<usize> {
        self.position
    }
    fn detail(&self) -> Option<String> {
        use tanba_gs1::Gs1ErrorKind;
        match &self.kind {
            Gs1ErrorKind::RequiredAiMissing { requires } => Some(requires.clone()),
            Gs1ErrorKind::MutuallyExclusiveAis { other } => Some(other.clone()),
            Gs1ErrorKind::ValueTooShort { length_min } => Some(length_min.to_string()),
            Gs1ErrorKind::ValueTooLong { length_max } => Some(length_max.to_string()),
            _ => None,
        }
    }
}

impl Localized for crate::kz::KzIdError {
    fn code(&self) -> &'static str {
        crate::kz::KzIdError::code(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_complete_and_unique() {
        let mut codes: Vec<&str> = catalogue_codes().collect();
        for entry in CATALOGUE {
            for text in [entry.kk, entry.ru, entry.en] {
                assert!(
                    !text.trim().is_empty(),
                    "{} has an empty message",
                    entry.code
                );
            }
            // The same placeholders in every language.
            for placeholder in ["{ai}", "{position}", "{detail}"] {
                let uses = [entry.kk, entry.ru, entry.en].map(|text| text.contains(placeholder));
                assert!(
                    uses.iter().all(|u| *u == uses[0]),
                    "{}: {placeholder}",
                    entry.code
                );
            }
        }
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len(), "duplicate codes in the catalogue");
    }

    #[test]
    fn every_gs1_code_has_a_message() {
        let lint_codes = tanba_gs1::lint::LintErrorKind::ALL
            .iter()
            .map(|kind| kind.code());
        for code in tanba_gs1::Gs1ErrorKind::ALL_CODES
            .iter()
            .copied()
            .chain(lint_codes)
        {
            for language in Language::ALL {
                assert!(template(code, language).is_some(), "{code} in {language}");
            }
        }
    }

    #[test]
    fn key_scan_and_date_codes_are_all_translated() {
        let codes = crate::code_key::CodeKeyError::ALL_CODES
            .iter()
            .chain(crate::scanned::ScanError::ALL_CODES)
            .chain([&crate::date::DateError::CODE]);
        for code in codes {
            for language in Language::ALL {
                assert!(template(code, language).is_some(), "{code} in {language}");
            }
        }
    }

    #[test]
    fn refusal_codes_are_all_translated() {
        for code in crate::status::Refusal::ALL_CODES {
            for language in Language::ALL {
                assert!(template(code, language).is_some(), "{code} in {language}");
            }
        }
    }

    #[test]
    fn kz_codes_are_all_translated() {
        for code in crate::kz::KzIdError::ALL_CODES {
            for language in Language::ALL {
                assert!(template(code, language).is_some(), "{code} in {language}");
            }
        }
    }

    #[test]
    fn gs1_error_renders_in_three_languages() {
        let error = tanba_gs1::MarkingCode::parse("(21)ABC", &Default::default()).unwrap_err();
        assert_eq!(
            localize(&error, Language::En),
            "TANBA-GS1-REQUIRED-AI-MISSING: AI (21) requires another AI that is missing \
             (one of: 01,03,8006)"
        );
        assert!(localize(&error, Language::Kk).contains("(21) AI үшін"));
        assert!(localize(&error, Language::Ru).contains("нужен один из: 01,03,8006"));
    }
}
