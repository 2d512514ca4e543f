/** Lets the UI import its stylesheet (Vite bundles it). */
declare module '*.css';
