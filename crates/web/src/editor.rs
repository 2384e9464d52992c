//! A notebook cell's code editor: CodeMirror 6 (bundled from npm into `kindling-ui.js`), wrapped as a Yew
//! component. The editor owns the text while the user types; every edit is reported so the app can save it.

use kindling_pyspark::notebook::Language;
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = KindlingUI, js_name = createEditor)]
    fn create_editor(parent: &Element, text: &str, language: &str, on_change: &JsValue, on_run: &JsValue) -> JsValue;
    #[wasm_bindgen(js_namespace = KindlingUI, js_name = setLanguage)]
    fn set_language(editor: &JsValue, language: &str);
    #[wasm_bindgen(js_namespace = KindlingUI, js_name = markErrorLine)]
    fn mark_error_line(editor: &JsValue, line: i32);
    #[wasm_bindgen(js_namespace = KindlingUI, js_name = destroyEditor)]
    fn destroy_editor(editor: &JsValue);
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The text the editor starts with; later changes come from the user.
    pub initial: String,
    pub language: Language,
    /// The line to highlight (the one an error points at), 1-based.
    pub error_line: Option<usize>,
    pub on_change: Callback<String>,
    pub on_run: Callback<()>,
}

pub struct Editor {
    host: NodeRef,
    editor: Option<JsValue>,
    /// Kept alive as long as the editor may call them.
    _callbacks: Option<(Closure<dyn Fn(String)>, Closure<dyn Fn()>)>,
}

impl Component for Editor {
    type Message = ();
    type Properties = EditorProps;

    fn create(_ctx: &Context<Self>) -> Self {
        Editor { host: NodeRef::default(), editor: None, _callbacks: None }
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        html! { <div class="editor" ref={self.host.clone()}></div> }
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if !first_render {
            return;
        }
        let Some(host) = self.host.cast::<Element>() else { return };
        let props = ctx.props();
        let on_change = {
            let callback = props.on_change.clone();
            Closure::<dyn Fn(String)>::new(move |text: String| callback.emit(text))
        };
        let on_run = {
            let callback = props.on_run.clone();
            Closure::<dyn Fn()>::new(move || callback.emit(()))
        };
        let editor = create_editor(&host, &props.initial, language_name(props.language), on_change.as_ref(), on_run.as_ref());
        mark_error_line(&editor, props.error_line.map_or(0, |line| line as i32));
        self.editor = Some(editor);
        self._callbacks = Some((on_change, on_run));
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        let props = ctx.props();
        if let Some(editor) = &self.editor {
            if props.language != old.language {
                set_language(editor, language_name(props.language));
            }
            if props.error_line != old.error_line {
                mark_error_line(editor, props.error_line.map_or(0, |line| line as i32));
            }
        }
        false
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        if let Some(editor) = &self.editor {
            destroy_editor(editor);
        }
    }
}

fn language_name(language: Language) -> &'static str {
    match language {
        Language::Python => "Python",
        Language::Sql => "Sql",
    }
}
