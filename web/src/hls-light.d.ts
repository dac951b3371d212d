// hls.js ships one declaration file; its light build has the same API (minus features the app does not use).
declare module "hls.js/light" {
  import Hls from "hls.js";
  export default Hls;
  export * from "hls.js";
}
