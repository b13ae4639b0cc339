import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
console.log(parsePhoneNumberFromString(process.argv[2] ?? '', 'RU')?.number);
