import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadata from './meta.json';
console.log(parsePhoneNumberFromString(process.argv[2] ?? '', 'RU', metadata as never)?.number);
