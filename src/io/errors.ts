/**
 * InputError: an error in user-supplied input (file, line, row, column). Defined in
 * util/inputError.ts so that the maths folders can throw it too; re-exported here for io/.
 */
export { InputError, type InputLocation } from "../util/inputError.js";
