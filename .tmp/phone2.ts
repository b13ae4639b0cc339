import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
console.log(parsePhoneNumberFromString(process.argv[2] ?? '', 'RU')?.number);
